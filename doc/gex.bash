# bash completion for gex (installed as share/bash-completion/completions/gex; or source it).
# Completes the command, the options of the command line (serve's and api's own after them), the
# fixed values of options that take one, and file names elsewhere. tests/completion.sh checks
# that every command and option `gex --help` and `gex serve --help` name is here, and that serve
# and api offer no option their help does not name.

_gex_commands="greeks gex dex vex chex exposure levels summary profile expirations carry vix screen
history validate plot serve api"
_gex_options="--format --output -o --spot --now --rate --div --carry --symbol --expiration --max-dte
--min-oi --exclude-expiration --min-bid --max-delta --exercise --gex-unit --flip-method --iv-source --greeks --strict --multiplier --input-format --settle
--jobs --quiet --expiration-of-file --at --db --no-db --now-from-mtime --from --to --help --version --vendor --tol --sort --range --points --kind"
_gex_serve_options="--port --bind --api-key-file --api-key --threads --max-per-client --now-from-mtime --now
--rate --div --carry --exercise --max-dte --gex-unit --flip-method --iv-source --strict --multiplier --settle
--help"
_gex_api_options="--list --body --asked-at --now --rate --div --carry --exercise --max-dte --gex-unit --flip-method --iv-source
--strict --multiplier --settle --help"

_gex()
{
    local cur prev command i
    cur=${COMP_WORDS[COMP_CWORD]}
    prev=${COMP_WORDS[COMP_CWORD - 1]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        COMPREPLY=($(compgen -W "$_gex_commands --help --version" -- "$cur"))
        return
    fi
    command=${COMP_WORDS[1]}
    case $prev in
    --format) COMPREPLY=($(compgen -W "table csv json" -- "$cur")); return ;;
    --gex-unit) COMPREPLY=($(compgen -W "pct point shares" -- "$cur")); return ;;
    --flip-method) COMPREPLY=($(compgen -W "profile strike" -- "$cur")); return ;;
    --iv-source) COMPREPLY=($(compgen -W "auto file mid" -- "$cur")); return ;;
    --greeks) COMPREPLY=($(compgen -W "model file" -- "$cur")); return ;;
    --carry) COMPREPLY=($(compgen -W "flat parity" -- "$cur")); return ;;
    --exercise) COMPREPLY=($(compgen -W "european auto american" -- "$cur")); return ;;
    --input-format)
        # the format names gex --help lists (they grow with the readers)
        COMPREPLY=($(compgen -W "$(gex --help 2>/dev/null |
            awk 'f && /^  --/ {exit} /--input-format NAME/ {f = 1; sub(/.*NAME/, "")} f' |
            tr ',' ' ')" -- "$cur"))
        return
        ;;
    --kind)
        COMPREPLY=($(compgen -W "gex dex vex chex profile dashboard heatmap history" -- "$cur"))
        return
        ;;
    --expiration | --exclude-expiration) COMPREPLY=($(compgen -W "0dte" -- "$cur")); return ;;
    -o | --output | --vendor | --api-key-file | --db | --body)
        COMPREPLY=($(compgen -f -- "$cur"))
        return
        ;;
    --spot | --now | --rate | --div | --symbol | --max-dte | --min-oi | --min-bid | --at | \
        --expiration-of-file | \
        --max-delta | --multiplier | \
        --settle | --jobs | --tol | --sort | --range | --points | --port | --bind | --from | \
        --to | \
        --api-key | --threads | --max-per-client | --asked-at)
        return # a value of the user's
        ;;
    esac
    if [[ $cur == -* ]]; then
        if [ "$command" = serve ]; then
            COMPREPLY=($(compgen -W "$_gex_serve_options" -- "$cur"))
        elif [ "$command" = api ]; then
            COMPREPLY=($(compgen -W "$_gex_api_options" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_gex_options" -- "$cur"))
        fi
        return
    fi
    if [ "$command" = serve ]; then
        COMPREPLY=($(compgen -d -- "$cur"))
    else
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -o filenames -F _gex gex
