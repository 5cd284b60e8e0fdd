// --output-file: a command's result into a file (through the one atomic write helper) instead of
// stdout; -o stays the output format, as in kubectl.
import { resolve } from 'node:path';
import { describeWriteFailure, isRefusedTarget } from '../files/safe-write.js';
import { writeFileAtomic } from '../session/write-file.js';
import { EXIT, type Io } from './io.js';

/** Writes a command's result to stdout, or to --output-file through the atomic write; a line on stderr says where. */
export async function writeResult(text: string, file: string | undefined, io: Io, what: string): Promise<number> {
	if (file === undefined || file === '-') {
		io.stdout(text);
		return EXIT.ok;
	}
	try {
		await writeFileAtomic(resolve(io.cwd, file), text);
	} catch (error) {
		io.stderr(`${describeWriteFailure(file, error)}\n`);
		return isRefusedTarget(error) ? EXIT.invalid : EXIT.failed;
	}
	io.stderr(`wrote ${what} to ${file}\n`);
	return EXIT.ok;
}
