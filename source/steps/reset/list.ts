// The reset pipeline in order. Removing nodes: connect, find their Nodes, drain, take unreachable control
// planes out of etcd, clean the hosts, verify them, delete the Nodes. A whole reset only cleans and verifies.
import type { Step } from '../types.js';
import { cleanStep } from './clean.js';
import { resetConnectStep } from './connect.js';
import { leaseStep } from '../list/lease.js';
import { deleteNodeStep } from './delete-node.js';
import { drainStep } from './drain.js';
import { etcdMemberStep } from './etcd-member.js';
import { findNodesStep } from './nodes.js';
import { verifyCleanStep } from './verify.js';

export const RESET_STEPS: readonly Step[] = [
	resetConnectStep,
	leaseStep,
	findNodesStep,
	drainStep,
	etcdMemberStep,
	cleanStep,
	verifyCleanStep,
	deleteNodeStep,
];
