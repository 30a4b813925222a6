"""``credchain completion bash|zsh|fish``: completion scripts built from the argument parser.

The commands and options come from ``build_parser()``, so the scripts follow the
command line as it changes. Profile names are completed by running
``credchain profiles --names`` (offline: it only parses the config and
credentials files), with the same program the shell completes.
"""

from __future__ import annotations

import argparse

PROFILE_OPTION = "--profile"


def _spec(parser: argparse.ArgumentParser) -> dict[str, tuple[str, list[argparse.Action]]]:
    """``{command: (help, [options and positionals])}`` in the parser's order."""
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help or "" for a in subparsers._choices_actions}
    commands = {}
    for name, sub in subparsers.choices.items():
        commands[name] = (sub.description or helps.get(name, ""), list(sub._actions))
    return commands


def _options(actions: list[argparse.Action]) -> list[str]:
    return [s for a in actions for s in a.option_strings if s.startswith("--")]


def _valued(actions: list[argparse.Action]) -> list[str]:
    return [s for a in actions if a.option_strings and a.nargs != 0 for s in a.option_strings]


def _choices(actions: list[argparse.Action]) -> list[str]:
    return [str(c) for a in actions if not a.option_strings and a.choices for c in a.choices]


def script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (``bash``, ``zsh`` or ``fish``)."""
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](_spec(parser))


def _bash(commands: dict[str, tuple[str, list[argparse.Action]]]) -> str:
    cases = []
    valued: set[str] = set()
    for name, (_, actions) in commands.items():
        words = " ".join(o for o in _options(actions) + _choices(actions) if o != "--help")
        cases.append(f'        {name}) opts="{words}" ;;')
        valued.update(_valued(actions))
    valued.discard(PROFILE_OPTION)
    takes_value = "|".join(sorted(valued)) or "--"
    return f"""# bash completion for credchain: source it, or save it as
# ~/.local/share/bash-completion/completions/credchain
_credchain() {{
    local cur prev opts
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "{" ".join(commands)} --help --version" -- "$cur"))
        return 0
    fi
    case "$prev" in
        {PROFILE_OPTION})
            local IFS=$'\\n'
            COMPREPLY=($(compgen -W "$("${{COMP_WORDS[0]}}" profiles --names 2>/dev/null)" \\
                -- "$cur"))
            return 0 ;;
        {takes_value}) return 0 ;;
    esac
    case "${{COMP_WORDS[1]}}" in
{chr(10).join(cases)}
        *) opts="" ;;
    esac
    COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
    return 0
}}
complete -F _credchain credchain
"""


def _zsh_text(text: str) -> str:
    # inside '...': a quote is '\'' ; brackets and colons delimit _arguments' fields
    return text.replace("'", "'\\''").replace("[", "(").replace("]", ")").replace(":", "")


def _zsh(commands: dict[str, tuple[str, list[argparse.Action]]]) -> str:
    described = "\n".join(
        f"        '{name}:{_zsh_text(help)}'" for name, (help, _) in commands.items()
    )
    cases = []
    for name, (_, actions) in commands.items():
        specs = []
        for a in actions:
            help = _zsh_text(a.help or "")
            if not a.option_strings:
                if a.choices:
                    specs.append(f"'1:{a.dest}:({' '.join(map(str, a.choices))})'")
                else:
                    specs.append(f"'1:{a.dest}: '")
                continue
            for opt in a.option_strings:
                if opt == PROFILE_OPTION:
                    specs.append(f"'{opt}[{help}]:profile:_credchain_profiles'")
                elif a.nargs != 0:
                    specs.append(f"'{opt}[{help}]:{a.metavar or a.dest}: '")
                else:
                    specs.append(f"'{opt}[{help}]'")
        cases.append(f"        {name}) _arguments {' '.join(specs)} ;;")
    return f"""#compdef credchain
# zsh completion for credchain: save it as _credchain in a directory of $fpath,
# or `source <(credchain completion zsh)` after compinit.
_credchain_profiles() {{
    local -a profiles
    profiles=(${{(f)"$(${{words[1]}} profiles --names 2>/dev/null)"}})
    compadd -a profiles
}}

_credchain() {{
    local -a commands
    commands=(
{described}
    )
    if (( CURRENT == 2 )); then
        _describe 'command' commands
        return
    fi
    local command=$words[2]
    words=($words[1] $words[3,-1])
    (( CURRENT-- ))
    case $command in
{chr(10).join(cases)}
    esac
}}

if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
    _credchain "$@"
else
    compdef _credchain credchain
fi
"""


def _fish_text(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish(commands: dict[str, tuple[str, list[argparse.Action]]]) -> str:
    names = " ".join(commands)
    lines = [
        "# fish completion for credchain: save it as ~/.config/fish/completions/credchain.fish",
        "complete -c credchain -f",
        "complete -c credchain -n __fish_use_subcommand -l version -d 'show the versions'",
    ]
    for name, (help, actions) in commands.items():
        lines.append(
            f"complete -c credchain -n __fish_use_subcommand -a {name} -d {_fish_text(help)}"
        )
        when = f"'__fish_seen_subcommand_from {name}'"
        for a in actions:
            if not a.option_strings:
                if a.choices:
                    choices = " ".join(map(str, a.choices))
                    lines.append(f"complete -c credchain -n {when} -a '{choices}'")
                continue
            for opt in a.option_strings:
                if not opt.startswith("--"):
                    continue
                spec = f"complete -c credchain -n {when} -l {opt[2:]}"
                if opt == PROFILE_OPTION:
                    spec += " -x -a '(credchain profiles --names 2>/dev/null)'"
                elif a.nargs != 0:
                    spec += " -x"
                lines.append(spec + f" -d {_fish_text(a.help or '')}")
    lines.append(f"# commands: {names}")
    return "\n".join(lines) + "\n"
