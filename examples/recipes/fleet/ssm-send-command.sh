#!/bin/sh
# Run `credchain explain --json` on every instance tagged credchain-audit=true, as the
# user the application runs as (HOME decides which ~/.aws botocore reads), with
# the output in S3. AWS Systems Manager Run Command does the dispatch; nothing
# else is installed on the instances but credchain itself.
set -eu
BUCKET=${BUCKET:?set BUCKET to the S3 bucket for the outputs}
APP_USER=${APP_USER:-ec2-user}

# Install for that user and run as that user; `|| true`: "no credentials" (exit 1) is a result.
params=$(printf '{"commands": [%s, %s]}' \
  "\"sudo -u $APP_USER -H python3 -m pip install --quiet --user credchain >/dev/null 2>&1 || true\"" \
  "\"sudo -u $APP_USER -H -i python3 -m credchain explain --json || true\"")

command_id=$(aws ssm send-command \
  --document-name AWS-RunShellScript \
  --targets Key=tag:credchain-audit,Values=true \
  --max-concurrency 10% --max-errors 100% \
  --output-s3-bucket-name "$BUCKET" --output-s3-key-prefix credchain-audit \
  --comment "credchain fleet audit" \
  --parameters "$params" \
  --query Command.CommandId --output text)
echo "command $command_id"

while :; do  # until every targeted instance has answered
  status=$(aws ssm list-commands --command-id "$command_id" --query 'Commands[0].Status' --output text)
  case $status in Pending|InProgress) sleep 10 ;; *) break ;; esac
done
echo "command $command_id: $status"
aws s3 sync "s3://$BUCKET/credchain-audit/$command_id/" "audit/$command_id/"
python3 fleet_aggregate.py "audit/$command_id/"
