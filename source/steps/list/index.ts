// The install pipeline in order: from connections to the applied CNI, a fetched admin kubeconfig and
// a cluster that is ready. The read-only head (connect, facts, preflight) is what the wizard's
// connection test runs.
import type { Step } from '../types.js';
import { applyCniStep } from './apply-cni.js';
import { connectStep } from './connect.js';
import { containerRuntimeStep } from './container-runtime.js';
import { deleteTokenStep } from './delete-token.js';
import { fetchKubeconfigStep } from './fetch-kubeconfig.js';
import { gatherFactsStep } from './gather-facts.js';
import { initControlPlaneStep } from './init-control-plane.js';
import { joinCredentialsStep } from './join-credentials.js';
import { joinControlPlanesStep, joinWorkersStep } from './join-nodes.js';
import { leaseStep } from './lease.js';
import { kubePackagesStep, kubernetesVersionStep, packageRepoStep } from './kube-packages.js';
import { preflightStep } from './preflight.js';
import { prepareHostStep } from './prepare-host.js';
import { networkCheckStep } from './network-check.js';
import { waitReadyStep } from './wait-ready.js';
import { cniCheckStep } from '../cni/check.js';
import { ciliumPreflightStep } from '../cni/preflight.js';
import { restartAgentsStep } from '../cni/restart.js';
import { poolAfterStep, poolBeforeStep } from '../cni/pool.js';

export const INSTALL_STEPS: readonly Step[] = [
	connectStep,
	leaseStep,
	gatherFactsStep,
	// On a running cluster: what the CNI re-apply would change, refused before anything is touched when it cannot change live.
	cniCheckStep,
	preflightStep,
	prepareHostStep,
	containerRuntimeStep,
	packageRepoStep,
	kubernetesVersionStep,
	kubePackagesStep,
	initControlPlaneStep,
	joinCredentialsStep,
	joinControlPlanesStep,
	joinWorkersStep,
	deleteTokenStep,
	ciliumPreflightStep,
	// Calico's encapsulation: the IP pool edit, on the side of the apply and the restarts its backend change needs.
	poolBeforeStep,
	applyCniStep,
	restartAgentsStep,
	poolAfterStep,
	fetchKubeconfigStep,
	waitReadyStep,
	networkCheckStep,
];
