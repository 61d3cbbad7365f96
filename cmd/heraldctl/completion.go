package main

import "fmt"

const bashCompletion = `# bash completion for heraldctl: source <(heraldctl completion bash)
_heraldctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  case "$prev" in
    heraldctl) COMPREPLY=($(compgen -W "publish catalog consumers notifications triggers admin token completion help" -- "$cur")); return ;;
    admin) COMPREPLY=($(compgen -W "triggers consumers" -- "$cur")); return ;;
    consumers) COMPREPLY=($(compgen -W "create list get update pause resume delete fetch stream ticket ack" -- "$cur")); return ;;
    notifications) COMPREPLY=($(compgen -W "list count ack ticket" -- "$cur")); return ;;
    triggers) COMPREPLY=($(compgen -W "create list get delete enable test fire deliveries retry replay" -- "$cur")); return ;;
    --output) COMPREPLY=($(compgen -W "table json" -- "$cur")); return ;;
    --state) COMPREPLY=($(compgen -W "unacknowledged acknowledged all" -- "$cur")); return ;;
    --action) COMPREPLY=($(compgen -W "ack nak term in_progress" -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "--url --token --output --config" -- "$cur"))
}
complete -F _heraldctl heraldctl
`

// completion prints a shell completion script.
func (a *app) completion(args []string) error {
	if len(args) != 1 || args[0] != "bash" {
		return usageErr("completion: only bash is supported: heraldctl completion bash")
	}
	fmt.Fprint(a.stdout, bashCompletion)
	return nil
}
