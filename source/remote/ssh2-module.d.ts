// ssh2 ships no types and the project does not depend on @types/ssh2; ssh2-types.ts types what is used.
declare module 'ssh2' {
	const ssh2: unknown;
	export default ssh2;
}
