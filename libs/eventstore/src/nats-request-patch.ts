// nats-core 3.4's RequestOne, once a request is answered, calls its own cancel(), which rejects the (already
// resolved) promise with a new RequestError: a stack trace captured for nothing on every JetStream publish
// (~10 µs each, the largest single cost of a publish in a profile of ingest). Answered requests skip it here; errors,
// timeouts and cancels go through nats-core's code unchanged.
import { RequestOne } from '@nats-io/nats-core/internal';

type Answer = Parameters<RequestOne['resolver']>;

const original = RequestOne.prototype.resolver;
const mux = (r: RequestOne) => (r as unknown as { mux: { cancel(r: RequestOne): void } }).mux;

// Only the version whose code this mirrors (a newer one may have fixed it, or changed what cancel does).
if (typeof original === 'function' && original.length === 2 && 'cancel' in RequestOne.prototype) {
  RequestOne.prototype.resolver = function resolver(this: RequestOne, err: Answer[0], msg: Answer[1]): void {
    if (err) return original.call(this, err, msg);
    this.timer?.cancel();
    this.deferred.resolve(msg);
    mux(this).cancel(this);
  };
}
