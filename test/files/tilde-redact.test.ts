// `~user/` paths are expanded like the shell does; a short secret is redacted only where it stands
// alone, so a 4-letter sudo password does not blank parts of unrelated words.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { expandTilde, homeOf } from '../../source/files/tilde.js';
import { createRedactor, REDACTED } from '../../source/remote/redact.js';

test('~, ~/x and ~user/x expand; an unknown user is left as written', (t) => {
	const dir = mkdtempSync(join(tmpdir(), 'kubestrap-tilde-'));
	const passwd = join(dir, 'passwd');
	writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n');
	const lookup = (user: string): string | undefined => homeOf(user, passwd);
	t.is(expandTilde('~', '/home/me', lookup), '/home/me');
	t.is(expandTilde('~/.ssh/id', '/home/me', lookup), '/home/me/.ssh/id');
	t.is(expandTilde('~alice/.ssh/id_ed25519', '/home/me', lookup), '/home/alice/.ssh/id_ed25519');
	t.is(expandTilde('~alice', '/home/me', lookup), '/home/alice');
	t.is(expandTilde('~nobody-here/.ssh/id', '/home/me', lookup), '~nobody-here/.ssh/id');
	t.is(expandTilde('/abs/~x', '/home/me', lookup), '/abs/~x');
	t.is(expandTilde('~root/k', '/home/me'), '/root/k', 'the real passwd database');
});

test('a short secret is replaced as a whole token only; long ones everywhere', (t) => {
	const redactor = createRedactor(['pass', 'a.b', 'longsecret1']);
	t.is(redactor.redact('password: pass; compass; x a.b y; acb; longsecret1x'), `password: ${REDACTED}; compass; x ${REDACTED} y; acb; ${REDACTED}x`);
	t.is(createRedactor(['é1']).redact('é1 and ké1'), `${REDACTED} and ké1`);
});
