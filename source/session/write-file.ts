// Writing a file on this machine so that readers never see half of it: through a temp file in the
// same directory, renamed into place. Targets that are not regular files are refused and a failed
// write leaves no temp file (the rules live in files/safe-write.ts).
import { writeFileSafely } from '../files/safe-write.js';

export async function writeFileAtomic(path: string, content: string, mode = 0o644): Promise<void> {
	await writeFileSafely(path, content, mode);
}
