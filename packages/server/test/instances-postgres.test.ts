/**
 * Several provider instances on one PostgreSQL database behind a round-robin proxy (issue 11 §3):
 * the cluster tests of test/helpers/cluster-suite.ts, each on a database of its own.
 */
import { clusterSuite } from './helpers/cluster-suite.js';

clusterSuite('postgres');
