// The PodDisruptionBudgets behind a blocked drain: label selectors as the API server applies them, the
// budgets that cover the blocking pods, and a "what to do" concrete for each budget's rule and numbers.
import test from 'ava';
import { budgetsOf, drainBlock, parseBudgets, parsePodLabels, selects, type Budget } from '../../source/cluster/upgrade/pdb.js';

const pdbList = (items: unknown[]): string => JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
const pdb = (namespace: string, name: string, spec: Record<string, unknown>, status: Record<string, number>): unknown => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { namespace, name }, spec, status });
const pods = (items: Array<[string, string, Record<string, string>]>): string => JSON.stringify({ items: items.map(([namespace, name, labels]) => ({ metadata: { namespace, name, labels } })) });

test('label selectors: matchLabels and every matchExpressions operator; {} selects all, no selector none', (t) => {
	const labels = { app: 'web', tier: 'front' };
	const cases: Array<[Parameters<typeof selects>[0], boolean]> = [
		[{}, true],
		[{ matchLabels: { app: 'web' } }, true],
		[{ matchLabels: { app: 'web', tier: 'back' } }, false],
		[{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'mid'] }] }, true],
		[{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['front'] }] }, false],
		[{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
		[{ matchExpressions: [{ key: 'app', operator: 'Exists' }] }, true],
		[{ matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, false],
		[{ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, false],
	];
	for (const [selector, expected] of cases) t.is(selects(selector, labels), expected, JSON.stringify(selector));
	const budgets: Budget[] = [
		{ namespace: 'default', name: 'all', selector: {} },
		{ namespace: 'default', name: 'none' },
		{ namespace: 'other', name: 'web', selector: { matchLabels: { app: 'web' } } },
	];
	t.deepEqual(budgetsOf(budgets, 'default/web-0', labels).map((b) => b.name), ['all'], 'same namespace only; no selector selects nothing');
});

test('minAvailable: the budget named with its numbers; scale up or lower minAvailable to what is healthy minus one', (t) => {
	const budgets = parseBudgets(pdbList([
		pdb('default', 'web', { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2 }),
		pdb('default', 'db', { maxUnavailable: 1, selector: { matchLabels: { app: 'db' } } }, { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 }),
	]));
	const block = drainBlock(['default/web-0'], budgets, parsePodLabels(pods([['default', 'web-0', { app: 'web' }], ['default', 'db-0', { app: 'db' }]])));
	t.deepEqual(block.budgets, ['PodDisruptionBudget default/web (minAvailable 2; 2 of 2 pods healthy, 2 needed, 0 disruptions allowed now) covers default/web-0']);
	t.deepEqual(block.todo, [`what to do for default/web: scale its workload so that 3 pods are Ready (2 now), or lower default/web's minAvailable to 1 (kubectl -n default patch pdb web --type=merge -p '{"spec":{"minAvailable":1}}')`]);
});

test('maxUnavailable: pods that are not Ready use it up (make them Ready or raise it); 0 never allows an eviction', (t) => {
	const labels = parsePodLabels(pods([['shop', 'cart-1', { app: 'cart' }], ['shop', 'cart-2', { app: 'cart' }]]));
	const used = parseBudgets(pdbList([pdb('shop', 'cart', { maxUnavailable: 1, selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['cart'] }] } }, { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 3 })]));
	t.deepEqual(drainBlock(['shop/cart-1', 'shop/cart-2'], used, labels), {
		budgets: ['PodDisruptionBudget shop/cart (maxUnavailable 1; 2 of 3 pods healthy, 2 needed, 0 disruptions allowed now) covers shop/cart-1, shop/cart-2'],
		todo: [`what to do for shop/cart: its 1 pod that is not Ready uses up maxUnavailable 1: make it Ready, or raise shop/cart's maxUnavailable to 2 (kubectl -n shop patch pdb cart --type=merge -p '{"spec":{"maxUnavailable":2}}')`],
	});
	const zero = parseBudgets(pdbList([pdb('shop', 'cart', { maxUnavailable: 0, selector: { matchLabels: { app: 'cart' } } }, { currentHealthy: 2, desiredHealthy: 2, disruptionsAllowed: 0, expectedPods: 2 })]));
	t.deepEqual(drainBlock(['shop/cart-1'], zero, labels).todo, [`what to do for shop/cart: maxUnavailable 0 allows no eviction while every pod is needed: raise shop/cart's maxUnavailable to 1 (kubectl -n shop patch pdb cart --type=merge -p '{"spec":{"maxUnavailable":1}}')`]);
});

test('a pod no budget covers (a pod without a controller, a budget removed since) is named with its own fix', (t) => {
	const block = drainBlock(['default/bare'], [], parsePodLabels(pods([['default', 'bare', {}]])));
	t.deepEqual(block.budgets, []);
	t.deepEqual(block.todo, ['what to do for default/bare (no PodDisruptionBudget covers it now: kubectl get pdb -A): if it may go, delete it (kubectl -n default delete pod bare)']);
	// A budget whose status the controller has not computed yet is named as such.
	const fresh = parseBudgets(pdbList([{ metadata: { namespace: 'default', name: 'new' }, spec: { minAvailable: '50%', selector: { matchLabels: { app: 'x' } } } }]));
	t.regex(drainBlock(['default/x-0'], fresh, parsePodLabels(pods([['default', 'x-0', { app: 'x' }]]))).budgets[0] ?? '', /^PodDisruptionBudget default\/new \(minAvailable 50%; its status is not computed yet\) covers default\/x-0$/);
});
