// Whether a process of this machine still runs (signal 0 checks without sending anything). Used to judge
// a lock or lease left by a run of this machine: its pid gone means the run is gone.
export function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
