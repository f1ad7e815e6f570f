#!/usr/bin/env zsh
# zsh_complete.zsh FPATH_DIR 'line to complete': what zsh's completion
# system offers after typing the line and Tab, one match per line.  Runs an
# interactive zsh in a pseudo-terminal (zsh/zpty), with the completion
# functions of FPATH_DIR loaded by compinit and compadd wrapped to print
# each match it is given.  Used by spec/completion_spec.lua.
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''; RPROMPT=''"
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "bindkey '^I' complete-word"
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a hits; builtin compadd -A hits "$@"; local h; for h in $hits; do print -r -- "<M>$h"; done; builtin compadd "$@" }'
zpty -w z 'comppostfuncs=(__done); __done() { print "<END>"; compstate[insert]=""; compstate[list]="" }'
zpty -w z 'print "<READY>"'
local line
while zpty -r z line; do [[ $line == *'<READY>'* && $line != *print* ]] && break; done
zpty -n -w z "$2"$'\t'
while zpty -r z line; do
  [[ $line == *'<END>'* ]] && break
  [[ $line == *'<M>'* ]] && print -r -- "${${line##*<M>}%%[$'\r\n']*}"
done
zpty -d z
