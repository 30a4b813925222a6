# Group `credchain explain --json` reports by winner and flag keys that shadow a role.
# Input: one report per file (jq -s slurps them into an array), each wrapped as
# {"host": ..., "report": ...} by the dispatcher (see docs/recipes/fleet.md).
#   jq -s -f aggregate.jq reports/*.json
def keys_win: .winner as $w
  | ["env", "shared-credentials-file", "config-file", "ec2-credentials-file", "boto-config"]
  | index($w) != null;
def roles: ["iam-role", "container-role", "assume-role", "assume-role-with-web-identity", "sso"];
{
  by_winner: (group_by(.report.winner // "none")
              | map({key: (.[0].report.winner // "none"), value: (map(.host) | sort)})
              | from_entries),
  flagged: [ .[]
             | select(.report | keys_win)
             | {host, winner: .report.winner,
                shadows: [.report.providers[]
                          | select(.status == "shadowed" and (.method as $m | roles | index($m)))
                          | .method]}
             | select(.shadows | length > 0) ]
}
