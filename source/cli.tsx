// The only file that reads argv, the environment and the TTY. It builds the command tree from
// the field table and hands each command an Io; heavy modules are imported only by the command
// that needs them, so --help and --version stay fast.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from './commands/exit.js';
import type { Io } from './commands/io.js';

function packageVersion(): string {
	const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
	return (JSON.parse(text) as { version: string }).version;
}

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

/** First Ctrl-C aborts the run (remote commands are stopped, the journal saved); the second exits 130 at once. */
function interruptSignal(): AbortSignal {
	const controller = new AbortController();
	const onSignal = (): void => {
		if (controller.signal.aborted) process.exit(130);
		process.stderr.write('\ninterrupting: stopping remote commands and saving the journal (Ctrl-C again to quit at once)\n');
		controller.abort();
	};
	process.on('SIGINT', onSignal);
	process.on('SIGTERM', onSignal);
	return controller.signal;
}

/** CI=true (as CI services set it) means nobody is at the terminal, and Ink only draws at exit there. */
function inCi(): boolean {
	return ['CI', 'CONTINUOUS_INTEGRATION'].some((key) => {
		const value = process.env[key];
		return value !== undefined && value !== '0' && value !== 'false';
	});
}

function makeIo(): Io {
	// The AWS SDK prints a notice on Node 20 that its releases after January 2027 need Node 22. kubestrap's
	// lockfile pins the SDK, so the notice is for whoever upgrades it, not for someone running an install.
	process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
	const interactive = Boolean(process.stdout.isTTY && process.stdin.isTTY) && !inCi();
	return {
		signal: interruptSignal(),
		stdout: (text) => process.stdout.write(text),
		stderr: (text) => process.stderr.write(text),
		cwd: process.cwd(),
		env: process.env,
		isTTY: interactive,
		...(interactive ? { tty: { stdin: process.stdin, stdout: process.stdout } } : {}),
		...(process.stdin.isTTY ? { askSecret, askLine } : {}),
		...(process.stderr.isTTY && process.env['TERM'] !== 'dumb' && !inCi() ? { terminal: process.stderr } : {}),
		color: !process.env['NO_COLOR'] && Boolean(process.stderr.isTTY) && process.env['TERM'] !== 'dumb',
	};
}

const EXIT_HELP = `
Exit codes: 0 success, 1 failed, 2 invalid input (nothing contacted), 130 interrupted.`;

async function buildProgram(io: Io, setCode: (code: number) => void): Promise<Command> {
	const { Command, Option } = await import('commander');
	const { addSpecOptions } = await import('./spec/flags.js');
	const program = new Command('kubestrap')
		.description('Install Kubernetes with Cilium or Calico networking on SSH hosts or EC2 instances.')
		.version(packageVersion(), '-V, --version', 'print the kubestrap version')
		.showSuggestionAfterError(true)
		.configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
		.exitOverride()
		.addHelpText('after', EXIT_HELP);

	const specCommand = (name: string, description: string): Command => {
		const command = program.command(name).description(description)
			.option('-c, --config <file>', 'cluster.yaml to read (flags override its values)')
			.addHelpText('after', EXIT_HELP)
			.exitOverride();
		return addSpecOptions(command);
	};

	specCommand('validate', 'check the cluster spec and print one line per problem (contacts nothing)')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.action(async (options: Record<string, unknown>) => {
			const { validateCommand } = await import('./commands/validate.js');
			setCode(await validateCommand(options, io));
		});

	specCommand('render', 'print the CNI manifests install would apply (multi-document YAML)')
		.option('-o, --output <file>', 'write to this file instead of standard output')
		.action(async (options: Record<string, unknown>) => {
			const { renderCommand } = await import('./commands/render.js');
			setCode(await renderCommand(options, io));
		});

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
		.action(async (options: Record<string, unknown>) => {
			const { installCommand } = await import('./commands/install.js');
			setCode(await installCommand(options, io, 'install'));
		});

	installOptions(specCommand('plan', 'print, per host, the ordered actions install would take (connects read-only, changes nothing)'))
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.action(async (options: Record<string, unknown>) => {
			const { installCommand } = await import('./commands/install.js');
			setCode(await installCommand(options, io, 'plan'));
		});

	specCommand('upgrade', 'upgrade the running cluster to the spec\'s Kubernetes version (one minor per hop) and the CNI to the pinned release')
		.option('-y, --yes', 'do not ask for confirmation')
		.option('--dry-run', 'print the plan and what would run, change nothing')
		.option('--max-unavailable <n>', 'workers drained and upgraded at once', '1')
		.option('--connect-timeout <seconds>', 'give up connecting to a host after this long', '120')
		.option('-v, --verbose', 'also print every remote command\'s output (always in the log file)')
		.addHelpText('after', '\nExit codes of upgrade: 0 upgraded (every node Ready at the new version), 1 failed at a step (resume by running it again), 2 refused before anything changed (unsupported target, downgrade, unreachable or NotReady node, no confirmation), 130 interrupted.')
		.action(async (options: Record<string, unknown>) => {
			const { upgradeCommand } = await import('./commands/upgrade.js');
			setCode(await upgradeCommand(options, io));
		});

	specCommand('status', 'show cluster health: nodes, the CNI and its datapath, DaemonSets/Deployments, system pods, problems')
		.option('--kubeconfig <file>', 'read the cluster through this kubeconfig with the local kubectl instead of over SSH')
		.option('-w, --watch', 'keep redrawing until interrupted (with -o json: one JSON document per line on every change)')
		.option('--interval <duration>', 'time between reads with --watch', '2s')
		.option('--connect-timeout <seconds>', 'give up connecting to the control plane after this long', '30')
		.addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
		.addHelpText('after', '\nExit codes of status: 0 healthy, 1 unhealthy or unreachable, 2 invalid input, 130 interrupted (--watch).')
		.action(async (options: Record<string, unknown>) => {
			const { statusCommand } = await import('./commands/status.js');
			setCode(await statusCommand(options, io));
		});

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
Exit codes of reset: 0 every host clean (and nodes removed), 1 a host failed or did not answer, 2 invalid input
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

	const aws = program.command('aws').description('AWS helpers').exitOverride();
	aws.command('iam-policy')
		.description('print the IAM policy the control-plane instance role needs for Cilium ENI mode (JSON)')
		.option('-o, --output <file>', 'write to this file instead of standard output')
		.addHelpText('after', EXIT_HELP)
		.exitOverride()
		.action(async (options: { output?: string }) => {
			const { iamPolicyCommand } = await import('./commands/aws-iam-policy.js');
			setCode(await iamPolicyCommand(options, io));
		});

	program.command('schema')
		.description('print the JSON Schema of cluster.yaml (for editor completion)')
		.exitOverride()
		.action(async () => {
			const { clusterJsonSchemaText } = await import('./spec/schema.js');
			io.stdout(clusterJsonSchemaText());
			setCode(EXIT.ok);
		});
	return program;
}

export async function main(args: readonly string[], io: Io = makeIo()): Promise<number> {
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
	// `kubestrap` alone is the guided install on a terminal, and the help everywhere else.
	if (argv.length === 0) {
		if (!io.tty) {
			program.outputHelp();
			return EXIT.ok;
		}
		argv = ['install'];
	}
	try {
		await program.parseAsync([...argv], { from: 'user' });
	} catch (error) {
		if (error instanceof CommanderError) {
			if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
			// commander already printed its message; usage mistakes are invalid input.
			return EXIT.invalid;
		}
		throw error;
	}
	return code;
}
