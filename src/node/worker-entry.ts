/**
 * Entry of a Node `worker_threads` worker running nanolum tasks (started by
 * `nodeWorkerBackend`); answers chunk requests with the shared, platform-neutral worker body.
 */
import { parentPort } from 'node:worker_threads';
import { answer } from '../parallel/worker-core.js';

const port = parentPort;
if (!port) throw new Error('nanolum worker entry must run inside a worker thread');
port.on('message', (data: unknown) => {
  void answer(data, (reply, transfer) => port.postMessage(reply, transfer));
});
