import { setUpCluster } from '../cluster/cluster.mjs';

export default () => setUpCluster('control-plane');
