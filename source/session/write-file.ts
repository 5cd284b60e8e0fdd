// Writing a file on this machine so that readers never see half of it: through a temp file in the
// same directory, renamed into place.
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
	const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	await writeFile(temp, content, { mode, flush: true });
	await rename(temp, path);
}
