// The pure parts of the API route: an error answer told as kubectl tells it (so a 410 is recognised
// the same way on every route), and a watch path split into what the client's Watch takes.
import test from 'ava';
import { describeError, watchQuery } from '../../source/kubeapi/api-reader.js';
import { requestFailed, initialState } from '../../source/cluster/health/list-watch.js';

test('an API Status is told as kubectl tells it, and an expired continue token lists again', (t) => {
	const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'The provided continue parameter is too old to display a consistent list result.' });
	const message = describeError(410, body);
	t.is(message, 'Error from server (Expired): The provided continue parameter is too old to display a consistent list result. (HTTP 410)');
	t.deepEqual(requestFailed(initialState({ resource: 'pods', namespace: 'kube-system' }), message), { expired: true });
	t.is(describeError(404, JSON.stringify({ kind: 'Status', reason: 'NotFound', code: 404, message: 'configmaps "x" not found' })), 'Error from server (NotFound): configmaps "x" not found (HTTP 404)');
	t.is(describeError(502, '<html>bad gateway</html>\n'), 'the API answered HTTP 502: <html>bad gateway</html>');
	t.is(describeError(500, ''), 'the API answered HTTP 500');
});

test('a watch path is split into the path and the query the client Watch takes; a list is not a watch', (t) => {
	t.deepEqual(watchQuery('/api/v1/namespaces/kube-system/pods?watch=1&resourceVersion=123&allowWatchBookmarks=true&timeoutSeconds=300'), {
		path: '/api/v1/namespaces/kube-system/pods',
		query: { resourceVersion: '123', allowWatchBookmarks: 'true', timeoutSeconds: '300' },
	});
	t.is(watchQuery('/api/v1/nodes?limit=500&continue=abc'), undefined);
	t.is(watchQuery('/api/v1/nodes'), undefined);
});
