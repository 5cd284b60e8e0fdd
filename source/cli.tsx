// The only file that reads argv, the environment and the TTY. It builds the command tree from
// the field table and hands each command an Io; heavy modules are imported only by the command
// that needs them, so --help and --version stay fast.
import type { Command } from 'commander';
import { EXIT } from './commands/exit.js';
import type { Io } from './commands/io.js';
import { packageVersion } from './commands/package-files.js';
import { LocalFileError } from './files/bounded-read.js';
import { describeFailure, isLocalPathError } from './files/describe-error.js';

/** Reads one line from the terminal with echo off; the text never reaches argv, the environment or a log. */
function askSecret(prompt: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const stdin = process.stdin;
		process.stderr.write(prompt);
		let value = '';
		const done = (error?: Error): void => {
			stdin.setRawMode(false);
			stdin.pause();
			stdin.off('data', onData);
			process.stderr.write('\n');
			if (error) reject(error);
			else resolve(value);
		};
		const onData = (chunk: Buffer): void => {
			for (const char of chunk.toString('utf8')) {
				if (char === '\r' || char === '\n') return done();
				if (char === '\u0003') return done(new Error('interrupted'));
				if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
				else value += char;
			}
		};
		stdin.setRawMode(true);
		stdin.resume();
		stdin.on('data', onData);
	});
}

/** Reads one echoed line from the terminal (a typed confirmation); Ctrl-C or end of input gives "". */
async function askLine(prompt: string): Promise<string> {
	const { createInterface } = await import('node:readline');
	return new Promise((resolve) => {
		const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
		let answered = false;
		rl.question(prompt, (answer) => {
			answered = true;
			rl.close();
			resolve(answer);
		});
		rl.on('SIGINT', () => rl.close());
		rl.on('close', () => {
			if (!answered) resolve('');
		});
	});
}

/** How long a run may take to stop after a signal: long enough to close channels and save the journal. */
const STOP_GRACE_MS = 1500;

/**
 * The first Ctrl-C, SIGTERM or SIGHUP (the terminal or the SSH session kubestrap runs in went away) aborts
 * the run: remote commands are stopped, the journal saved, locks released; a second signal exits at once.
 * After SIGTERM or SIGHUP nobody is there to press Ctrl-C again, so whatever has not finished STOP_GRACE_MS
 * later is cut off with exit 130: those signals always end the run within 2 s. Ctrl-C leaves the run its
 * cleanup (a check deletes its namespace, a reset saves where it stopped) and a second Ctrl-C to quit.
 */
function interruptSignal(): AbortSignal {
	const controller = new AbortController();
	const onSignal = (name: NodeJS.Signals): void => {
		if (controller.signal.aborted) process.exit(130);
		const say = (text: string): void => {
			// After SIGHUP the terminal may be gone; a failed write must not throw.
			try {
				process.stderr.write(text);
			} catch {
				// nothing to tell
			}
		};
		say(`
${name === 'SIGINT' ? 'interrupting' : `${name} received`}: stopping remote commands and saving the journal${name === 'SIGINT' ? ' (Ctrl-C again to quit at once)' : ''}
`);
		controller.abort();
		if (name === 'SIGINT') return;
		setTimeout(() => {
			say(`stopped after ${name}; resume with the same command\n`);
			process.exit(130);
		}, STOP_GRACE_MS).unref();
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	process.on('SIGHUP', onSignal);
	return controller.signal;
}

/** CI=true (as CI services set it) means nobody is at the terminal, and Ink only draws at exit there. */
function inCi(): boolean {
	return ['CI', 'CONTINUOUS_INTEGRATION'].some((key) => {
		const value = process.env[key];
		return value !== undefined && value !== '0' && value !== 'false';
	});
}

/** What the environment decides, read here once: commands get values, never the environment itself. */
function decidedEnvironment(env: NodeJS.ProcessEnv): Pick<Io, 'agent' | 'home' | 'awsRegion' | 'awsProfile' | 'awsSecrets' | 'searchPath' | 'childEnv' | 'ttyColor'> {
	const region = env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
	return {
		...(env['SSH_AUTH_SOCK'] ? { agent: env['SSH_AUTH_SOCK'] } : {}),
		...(env['HOME'] ? { home: env['HOME'] } : {}),
		...(region ? { awsRegion: region } : {}),
		...(env['AWS_PROFILE'] ? { awsProfile: env['AWS_PROFILE'] } : {}),
		awsSecrets: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'].map((key) => env[key] ?? '').filter((value) => value !== ''),
		searchPath: env['PATH'] ?? '',
		childEnv: env,
		// https://no-color.org: any non-empty NO_COLOR turns colour off.
		ttyColor: !env['NO_COLOR'] && env['TERM'] !== 'dumb',
	};
}

function makeIo(argv: readonly string[]): Io {
	// The AWS SDK prints a notice on Node 20 that its releases after January 2027 need Node 22. kubestrap's
	// lockfile pins the SDK, so the notice is for whoever upgrades it, not for someone running an install.
	process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
	// `kubestrap render -o json | head`: a reader that stops early is not a failure of ours.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(EXIT.ok);
		throw error;
	});
	const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !inCi();
	return {
		signal: interruptSignal(),
		stdout: (text) => process.stdout.write(text),
		stderr: (text) => process.stderr.write(text),
		cwd: process.cwd(),
		...decidedEnvironment(process.env),
		argv,
		isTTY: interactive,
		...(interactive ? { tty: { stdin: process.stdin, stdout: process.stdout } } : {}),
		...(process.stdin.isTTY ? { askSecret, askLine } : {}),
		...(process.stderr.isTTY && process.env['TERM'] !== 'dumb' && !inCi() ? { terminal: process.stderr } : {}),
		color: !process.env['NO_COLOR'] && Boolean(process.stderr.isTTY) && process.env['TERM'] !== 'dumb',
	};
}

const EXIT_HELP = `
Exit codes: 0 success, 1 failed (also: another run holds the cluster's lock or the lease on its first
control plane; nothing changed), 2 invalid input (nothing contacted), 130 interrupted.`;

const TOP_HELP = `
Guided install: run \`kubestrap\` on a terminal. \`kubestrap --config cluster.yaml\` or \`kubestrap\` with
spec flags (e.g. --cni calico) opens it prefilled and asks only what is left.
Without --config, ./cluster.yaml is read when it exists.
-o names an output format (yaml, json); --output-file writes a result to a file.${EXIT_HELP}`;

/** -o json: results and failures alike are JSON on stdout (the error object is in the README). */
function jsonOutput(options: Record<string, unknown>): boolean {
	return options['output'] === 'json';
}

async function buildProgram(io: Io, setCode: (code: number) => void): Promise<Command> {
	const { Command, Option } = await import('commander');
	const { addSpecOptions } = await import('./spec/flags.js');
	const program = new Command('kubestrap')
		.description('Install Kubernetes with Cilium or Calico networking on SSH hosts or EC2 instances.\nWith no command on a terminal: the guided install.')
		.version(packageVersion(), '-V, --version', 'print the kubestrap version')
		.showSuggestionAfterError(true)
		.configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
		.exitOverride()
		.addHelpText('after', TOP_HELP);

	/** Runs a command's action: ./cluster.yaml when no --config, and JSON failures under -o json. */
	const act = async (options: Record<string, unknown>, run: (options: Record<string, unknown>, io: Io) => Promise<number>, spec = true): Promise<void> => {
		const { withDefaultConfig } = await import('./commands/spec-input.js');
		const { withJsonErrors } = await import('./commands/json-error.js');
		const json = jsonOutput(options);
		const go = async (commandIo: Io): Promise<number> => run(spec ? await withDefaultConfig(options, commandIo) : options, commandIo);
		setCode(json ? await withJsonErrors(io, go) : await go(io));
	};

	const specCommand = (name: string, description: string): Command => {
		const command = program.command(name).description(description)
			.option('-c, --config <file>', 'cluster.yaml to read (flags override its values)')
			.addHelpText('after', EXIT_HELP)
			.exitOverride();
		return addSpecOptions(command);
	};

	specCommand('validate', 'check the cluster spec and print one line per problem (contacts nothing)')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.action((options: Record<string, unknown>) => act(options, async (o, i) => (await import('./commands/validate.js')).validateCommand(o, i)));

	specCommand('render', 'print the CNI manifests install would apply (multi-document YAML, or a JSON List)')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
		.option('--output-file <file>', 'write to this file instead of standard output')
		.action((options: Record<string, unknown>) => act(options, async (o, i) => (await import('./commands/render.js')).renderCommand(o, i)));

	const installOptions = (command: Command): Command => command
		.option('--concurrency <n>', 'hosts worked on at once in parallel steps', '10')
		.option('--connect-timeout <seconds>', 'give up connecting to a host after this long (retries with backoff until then)', '120')
		.option('-v, --verbose', 'also print every remote command\'s output (always in the log file)')
		.option('--ask-sudo-password', 'ask once for the sudo password (sent on stdin to sudo -S, never on a command line); default: sudo -n')
		.option('--aws-fix-source-dest-check', 'target aws: turn off source/destination check where the CNI needs it (asks first unless --yes)')
		.option('--aws-fix-security-groups', 'target aws: add the security-group rules the CNI and Kubernetes need (asks first unless --yes)');

	installOptions(specCommand('install', 'install Kubernetes on the hosts (resumes where a previous run stopped)'))
		.option('-y, --yes', 'do not ask for confirmation')
		.option('--timeout <duration>', 'how long to wait for the cluster to be ready after the CNI is applied (e.g. 10m, 90s)', '10m')
		.option('--dry-run', 'print what would run on each host, change nothing (same as plan)')
		.option('--skip-check', 'do not run the network check after readiness (install then reports success once the cluster is ready)')
		.action((options: Record<string, unknown>) => act(options, async (o, i) => (await import('./commands/install.js')).installCommand(o, i, 'install')));

	installOptions(specCommand('plan', 'print, per host, the ordered actions install would take (connects read-only, changes nothing)'))
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.action((options: Record<string, unknown>) => act(options, async (o, i) => (await import('./commands/install.js')).installCommand(o, i, 'plan')));

	specCommand('upgrade', 'upgrade the running cluster to the spec\'s Kubernetes version (one minor per hop) and the CNI to the pinned release')
		.option('-y, --yes', 'do not ask for confirmation')
		.option('--dry-run', 'print the plan and what would run, change nothing')
		.option('--max-unavailable <n>', 'workers drained and upgraded at once', '1')
		.option('--connect-timeout <seconds>', 'give up connecting to a host after this long', '120')
		.option('-v, --verbose', 'also print every remote command\'s output (always in the log file)')
		.addHelpText('after', '\nExit codes of upgrade: 0 upgraded (every node Ready at the new version), 1 failed at a step (resume by running it again) or another run holds the lease on the first control plane, 2 refused before anything changed (unsupported target, downgrade, unreachable or NotReady node, no confirmation), 130 interrupted.')
		.action(async (options: Record<string, unknown>) => {
			const { upgradeCommand } = await import('./commands/upgrade.js');
			setCode(await upgradeCommand(options, io));
		});

	specCommand('status', 'show cluster health: nodes, the CNI and its datapath, DaemonSets/Deployments, system pods, problems')
		.option('--kubeconfig <file>', 'read the cluster through this kubeconfig with the local kubectl instead of over SSH')
		.option('-w, --watch', 'keep redrawing until interrupted (with -o json: one JSON document per line on every change); follows the cluster with the API\'s list-then-watch, so only changes travel')
		.option('--poll', 'with --watch: re-read the whole cluster every --interval instead of watching (the older, costlier route)')
		.option('--interval <duration>', 'time between reads with --watch --poll', '2s')
		.option('--connect-timeout <seconds>', 'give up connecting to the control plane after this long', '30')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.addHelpText('after', '\nExit codes of status: 0 healthy, 1 unhealthy or unreachable, 2 invalid input, 130 interrupted (--watch).')
		.action((options: Record<string, unknown>) => act(options, async (o, i) => (await import('./commands/status.js')).statusCommand(o, i)));

	specCommand('reset', 'remove nodes (--host) or the whole cluster, leaving each host clean of Kubernetes, the CNI and kubestrap')
		.option('--host <address>', 'reset only this host: drain it, remove it from etcd, delete its Node, clean it (repeat for more)', (value: string, previous: string[] = []) => [...previous, value])
		.option('-y, --yes', 'do not ask for the typed confirmation (needed without a terminal)')
		.option('--dry-run', 'print every command per host, change nothing')
		.option('--remove-packages', 'also remove kubeadm, kubelet, kubectl, containerd and the Kubernetes package repository')
		.option('--drain-timeout <duration>', 'give up draining a node after this long (e.g. 5m)', '5m')
		.option('--concurrency <n>', 'hosts cleaned at once', '10')
		.option('--connect-timeout <seconds>', 'give up connecting to a host after this long (it is then reported and skipped)', '30')
		.option('-v, --verbose', 'also print every remote command\'s output (always in the log file)')
		.option('--ask-sudo-password', 'ask once for the sudo password (sent on stdin to sudo -S)')
		.addHelpText('after', `
What a host keeps: its own files, links, iptables/nftables chains and rules and BPF pins; /opt/cni/bin's
standard plugins and the packages unless --remove-packages. What goes: kubeadm reset (the kubelet, /etc/kubernetes,
/var/lib/kubelet, /var/lib/etcd), the CNI's links (cilium_*, lxc*, cali*, tunl0, vxlan.calico), the KUBE-*,
CILIUM_* and cali-* chains and rules, Cilium's BPF pins, the CNI's files and state, the files kubestrap wrote.
A removed control plane leaves etcd (by member ID); the last one cannot be removed (reset the whole cluster).
Exit codes of reset: 0 every host clean (and nodes removed), 1 a host failed or did not answer (or another run
holds the lease on the first control plane), 2 invalid input
or not confirmed (no terminal and no --yes), 130 interrupted (run the same command again to resume).`)
		.action(async (options: Record<string, unknown>) => {
			const { resetCommand } = await import('./commands/reset.js');
			setCode(await resetCommand(options, io));
		});

	specCommand('kubeconfig', 'fetch the admin kubeconfig from a control plane again (server: the control-plane endpoint)')
		.option('--output-file <file>', 'write it here (0600); default ./<name>.kubeconfig')
		.option('--merge', 'add it to the first file of $KUBECONFIG, else ~/.kube/config, keeping the other contexts')
		.option('--connect-timeout <seconds>', 'give up connecting to a control plane after this long', '30')
		.addHelpText('after', '\nThe context, cluster and user are named after the cluster (metadata.name); --merge replaces entries of that name and makes it the current context.')
		.action(async (options: Record<string, unknown>) => {
			const { kubeconfigCommand } = await import('./commands/kubeconfig.js');
			// kubectl's rule: the first file of $KUBECONFIG, else ~/.kube/config.
			const { join } = await import('node:path');
			const { homedir } = await import('node:os');
			const fromEnv = (process.env['KUBECONFIG'] ?? '').split(':').find((part) => part !== '');
			setCode(await kubeconfigCommand({ ...options, mergeFile: fromEnv ?? join(process.env['HOME'] ?? homedir(), '.kube', 'config') }, io));
		});

	specCommand('check', 'prove the network: same-node, cross-node, node-to-pod, ClusterIP, Service name, kubernetes.default and NodePort paths per node pair, with causes')
		.option('--kubeconfig <file>', 'reach the cluster through this kubeconfig with the local kubectl instead of over SSH')
		.option('--keep', 'leave the check namespace in place for debugging (default: deleted at the end)')
		.option('--timeout <duration>', 'give up on paths that have not answered after this long (e.g. 3m, 90s)', '3m')
		.option('--external <host[:port]>', 'also test pod-to-world to this host (default port 443); nothing outside the cluster is contacted without it')
		.option('--connect-timeout <seconds>', 'give up connecting to the control plane after this long', '30')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.addHelpText('after', '\nWith target aws (--config with --kubeconfig), a failed cross-node path makes the check read EC2 for that pair: the cause names the missing security-group rule or the instance whose source/destination check is on, with the AWS CLI command that fixes it.\nExit codes of check: 0 every path passes, 1 a path fails (causes and fixes printed) or the check could not run, 2 invalid input, 130 interrupted (the check namespace is deleted).')
		.action(async (options: Record<string, unknown>) => {
			const { checkCommand } = await import('./commands/check.js');
			setCode(await checkCommand(options, io));
		});

	const aws = program.command('aws').description('AWS helpers').exitOverride();
	aws.command('iam-policy')
		.description('print the IAM policy the control-plane instance role needs for Cilium ENI mode (JSON)')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['json']).default('json'))
		.option('--output-file <file>', 'write to this file instead of standard output')
		.addHelpText('after', EXIT_HELP)
		.exitOverride()
		.action((options: Record<string, unknown>) => act(options, async (o, i) => (await import('./commands/aws-iam-policy.js')).iamPolicyCommand(o, i), false));

	program.command('schema')
		.description('print the JSON Schema of cluster.yaml (for editor completion)')
		.exitOverride()
		.action(async () => {
			const { clusterJsonSchemaText } = await import('./spec/schema.js');
			io.stdout(clusterJsonSchemaText());
			setCode(EXIT.ok);
		});

	program.command('version')
		.description('print the kubestrap version, the Kubernetes minors and the Cilium and Calico releases it installs')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.exitOverride()
		.action(async (options: { output?: string }) => {
			const { versionCommand } = await import('./commands/version.js');
			setCode(versionCommand(options, packageVersion(), io));
		});

	program.command('init')
		.description('write a commented starter cluster.yaml, or one of the examples by name')
		.argument('[example]', 'an example to start from (aws-calico, aws-cilium-eni, baremetal-calico-vxlan, baremetal-cilium)')
		.option('--output-file <file>', 'the file to write', 'cluster.yaml')
		.option('--force', 'replace the file if it exists')
		.addHelpText('after', EXIT_HELP)
		.exitOverride()
		.action(async (example: string | undefined, options: { outputFile?: string; force?: boolean }) => {
			const { initCommand } = await import('./commands/init.js');
			setCode(await initCommand(example, options, io));
		});

	program.command('completion')
		.description('print a shell completion script (bash: source <(kubestrap completion bash))')
		.argument('<shell>', 'bash, zsh or fish')
		.exitOverride()
		.action(async (shell: string) => {
			const { completionScript, SHELLS } = await import('./commands/completion.js');
			if (!(SHELLS as readonly string[]).includes(shell)) {
				io.stderr(`completion: unknown shell ${JSON.stringify(shell)}; use one of ${SHELLS.join(', ')}\n`);
				setCode(EXIT.invalid);
				return;
			}
			const words = (command: Command): string[] => command.options.flatMap((option) => (option.long ? [option.long] : [])).concat('--help');
			const commands = program.commands.map((command) => ({
				name: command.name(),
				flags: words(command),
				args: command.name() === 'completion' ? [...SHELLS] : command.name() === 'aws' || command.name() === 'help' ? command.commands.map((sub) => sub.name()) : [],
			}));
			io.stdout(completionScript(shell as (typeof SHELLS)[number], commands, ['--help', '--version', ...words(program.commands.find((c) => c.name() === 'install') ?? program)]));
			setCode(EXIT.ok);
		});
	return program;
}

/** The commands a word that means "remove" must never be turned into (it would install). */
const REMOVING = ['reset', 'uninstall', 'remove', 'delete', 'destroy', 'teardown'];

/** "did you mean" for an unknown command; a word near a removing verb only ever suggests reset. */
async function suggestCommand(word: string, names: readonly string[]): Promise<string | undefined> {
	const { closest } = await import('./spec/suggest.js');
	const nearest = closest(word, [...REMOVING, ...names]);
	if (nearest !== undefined && REMOVING.includes(nearest)) return names.includes('reset') ? 'reset' : undefined;
	return nearest;
}

async function unknownCommand(word: string, names: readonly string[], io: Io): Promise<number> {
	const suggestion = await suggestCommand(word, names);
	io.stderr(`error: unknown command '${word}'${suggestion === undefined ? '' : ` (did you mean ${suggestion}?)`}\nkubestrap --help lists the commands.\n`);
	return EXIT.invalid;
}

export async function main(args: readonly string[], io: Io = makeIo(args)): Promise<number> {
	let argv = args;
	// --version alone is answered before commander and the field table are loaded.
	if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
		io.stdout(`${packageVersion()}\n`);
		return EXIT.ok;
	}
	let code: number = EXIT.ok;
	const program = await buildProgram(io, (value) => {
		code = value;
	});
	const { CommanderError } = await import('commander');
	const names = program.commands.map((command) => command.name());
	const first = argv[0];
	// `kubestrap` alone is the guided install on a terminal, and the help everywhere else;
	// `kubestrap --config F` and `kubestrap --cni calico …` are the guided install prefilled.
	if (first === undefined) {
		if (!io.tty) {
			program.outputHelp();
			return EXIT.ok;
		}
		argv = ['install'];
	} else if (first.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(first)) {
		argv = ['install', ...argv];
	} else if (!first.startsWith('-') && first !== 'help' && !names.includes(first)) {
		return unknownCommand(first, names, io);
	} else if (first === 'help' && argv[1] !== undefined && !names.includes(argv[1])) {
		return unknownCommand(argv[1], names, io);
	}
	try {
		await program.parseAsync([...argv], { from: 'user' });
	} catch (error) {
		if (error instanceof CommanderError) {
			if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
			// commander already printed its message; usage mistakes are invalid input, and under -o json
			// they are the JSON error object too.
			const json = argv.some((word, index) => word === '-ojson' || word === '--output=json' || ((word === '-o' || word === '--output') && argv[index + 1] === 'json'));
			if (json) {
				const { jsonError } = await import('./commands/json-error.js');
				io.stdout(jsonError(EXIT.invalid, [error.message]));
			}
			return EXIT.invalid;
		}
		io.stderr(`${describeFailure(error)}\n`);
		return error instanceof LocalFileError || isLocalPathError(error) ? EXIT.invalid : EXIT.failed;
	}
	return code;
}
