package main

import (
	"fmt"
	"strings"

	"github.com/heraldhq/herald/wire"
)

const bashCompletion = `# bash completion for heraldctl: source <(heraldctl completion bash)
_heraldctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  case "$prev" in
    heraldctl) COMPREPLY=($(compgen -W "publish catalog consumers notifications inbox triggers admin token completion help" -- "$cur")); return ;;
    admin) COMPREPLY=($(compgen -W "triggers consumers" -- "$cur")); return ;;
    consumers) COMPREPLY=($(compgen -W "create list get update pause resume delete fetch stream ticket ack" -- "$cur")); return ;;
    notifications|inbox) COMPREPLY=($(compgen -W "list count ack watch ticket" -- "$cur")); return ;;
    --variant) COMPREPLY=($(compgen -W "{{variants}}" -- "$cur")); return ;;
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
	// The variants are the client's list, which mirrors the server's.
	variants := make([]string, len(wire.Variants))
	for i, v := range wire.Variants {
		variants[i] = string(v)
	}
	fmt.Fprint(a.stdout, strings.Replace(bashCompletion, "{{variants}}", strings.Join(variants, " "), 1))
	return nil
}
