// `kubestrap completion bash|zsh|fish`: a completion script for the command names and each command's
// flags, generated from the command tree cli.tsx builds (so a new flag completes without editing here).

export interface CommandWords {
	name: string;
	/** long flags, e.g. --config */
	flags: readonly string[];
	/** fixed words after the command, e.g. the shells of `completion` */
	args?: readonly string[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

function bash(commands: readonly CommandWords[], global: readonly string[]): string {
	const cases = commands.map((c) => `\t\t${c.name}) words_for_command=${JSON.stringify([...c.flags, ...(c.args ?? [])].join(' '))} ;;`).join('\n');
	return `# kubestrap bash completion: source <(kubestrap completion bash)
_kubestrap() {
	local cur=\${COMP_WORDS[COMP_CWORD]} command=\${COMP_WORDS[1]} words_for_command
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W ${JSON.stringify([...commands.map((c) => c.name), ...global].join(' '))} -- "$cur"))
		return
	fi
	case "$command" in
${cases}
		*) words_for_command="" ;;
	esac
	COMPREPLY=($(compgen -W "$words_for_command" -- "$cur"))
	case "$cur" in -*) ;; *) [ \${#COMPREPLY[@]} -eq 0 ] && COMPREPLY=($(compgen -f -- "$cur")) ;; esac
}
complete -o default -F _kubestrap kubestrap
`;
}

function zsh(commands: readonly CommandWords[], global: readonly string[]): string {
	const cases = commands.map((c) => `\t\t${c.name}) compadd -- ${[...c.flags, ...(c.args ?? [])].join(' ')} ;;`).join('\n');
	return `#compdef kubestrap
# kubestrap zsh completion: source <(kubestrap completion zsh)
_kubestrap() {
	if (( CURRENT == 2 )); then
		compadd -- ${[...commands.map((c) => c.name), ...global].join(' ')}
		return
	fi
	case "\${words[2]}" in
${cases}
	esac
	_files
}
compdef _kubestrap kubestrap
`;
}

function fish(commands: readonly CommandWords[], global: readonly string[]): string {
	const lines = ['# kubestrap fish completion: kubestrap completion fish | source', 'complete -c kubestrap -f'];
	for (const command of commands) lines.push(`complete -c kubestrap -n __fish_use_subcommand -a ${command.name}`);
	for (const flag of global) lines.push(`complete -c kubestrap -n __fish_use_subcommand -l ${flag.replace(/^--/, '')}`);
	for (const command of commands) {
		for (const flag of command.flags) lines.push(`complete -c kubestrap -n '__fish_seen_subcommand_from ${command.name}' -l ${flag.replace(/^--/, '')}`);
		for (const arg of command.args ?? []) lines.push(`complete -c kubestrap -n '__fish_seen_subcommand_from ${command.name}' -a ${arg}`);
	}
	return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, commands: readonly CommandWords[], global: readonly string[]): string {
	if (shell === 'bash') return bash(commands, global);
	if (shell === 'zsh') return zsh(commands, global);
	return fish(commands, global);
}
