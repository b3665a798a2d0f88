import { tearDownCluster } from './cluster.mjs';

export default () => tearDownCluster();
