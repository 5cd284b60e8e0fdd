// The only file that reads argv, the environment and the TTY. It builds the command tree from
// the field table and hands each command an Io; heavy modules are imported only by the command
// that needs them, so --help and --version stay fast.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { EXIT } from './commands/exit.js';
import type { Io } from './commands/io.js';
import { LocalFileError } from './files/bounded-read.js';
import { describeFailure, isLocalPathError } from './files/describe-error.js';

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

/** How long a run may take to stop after a signal: long enough to close channels and save the journal. */
const STOP_GRACE_MS = 1500;

/**
 * The first Ctrl-C, SIGTERM or SIGHUP (the terminal or the SSH session kubestrap runs in went away) aborts
 * the run: remote commands are stopped, the journal saved, locks released. Whatever has not finished
 * STOP_GRACE_MS later is cut off with exit 130, so a signal always ends the run within 2 s; a second
 * signal exits at once.
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
		...(process.stdin.isTTY ? { askSecret } : {}),
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
		io.stderr(`${describeFailure(error)}\n`);
		return error instanceof LocalFileError || isLocalPathError(error) ? EXIT.invalid : EXIT.failed;
	}
	return code;
}
