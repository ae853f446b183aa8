/** What every step of a request needs: the gateway's context, the options and the adapter's shared state. */
import type { AdapterContext } from '@regate/action';
import type { AsyncApprovals } from './async-approvals.js';
import type { ResolvedOptions } from './options.js';
import type { RouteTable } from './routes.js';
import type { SessionRegistry } from './sessions.js';
import type { Tracker } from './tracker.js';
import type { Upstream } from './upstream.js';

export interface Runtime {
  ctx: AdapterContext;
  opts: ResolvedOptions;
  routes: RouteTable;
  sessions: SessionRegistry;
  approvals: AsyncApprovals;
  upstream: Upstream;
  tracker: Tracker;
}
