import TestSequencer from '@jest/test-sequencer';

// By file name, except down.test.ts, which takes the cluster down and so must run last.
export default class ClusterSequencer extends (TestSequencer.default ?? TestSequencer) {
  sort(tests) {
    const key = (test) => (test.path.endsWith('/down.test.ts') ? '\uffff' : test.path);
    return [...tests].sort((a, b) => key(a).localeCompare(key(b)));
  }
}
