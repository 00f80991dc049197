// The event bus every service publishes to; GET /events subscribes. A bounded ring of recent events
// lets `since` replay the past, as Docker does (it keeps the last 256).
import type { EventMessage } from '../api/types/system.js';

export type EventType = EventMessage['Type'];

export interface EventInput {
  type: EventType;
  action: string;
  id: string;
  attributes?: Record<string, string>;
}

export type Listener = (e: EventMessage) => void;

export class EventBus {
  private readonly ring: EventMessage[] = [];
  private readonly listeners = new Set<Listener>();
  constructor(private readonly capacity = 256) {}

  publish(input: EventInput): EventMessage {
    const nowMs = Date.now();
    const timeNano = nowMs * 1_000_000 + (Number(process.hrtime.bigint() % 1_000_000n));
    const attrs = input.attributes ?? {};
    const msg: EventMessage = {
      Type: input.type,
      Action: input.action,
      Actor: { ID: input.id, Attributes: attrs },
      scope: 'local',
      time: Math.floor(nowMs / 1000),
      timeNano,
    };
    // Docker still sends the pre-1.22 fields for containers and images; older clients read them.
    if (input.type === 'container' || input.type === 'image') {
      msg.status = input.action;
      msg.id = input.id;
      if (attrs['image']) msg.from = attrs['image'];
    }
    this.ring.push(msg);
    if (this.ring.length > this.capacity) this.ring.shift();
    for (const l of this.listeners) {
      try {
        l(msg);
      } catch {
        // A broken subscriber must not break the publisher.
      }
    }
    return msg;
  }

  /** Past events still in the ring with timeNano >= sinceNano. */
  history(sinceNano: number): EventMessage[] {
    return this.ring.filter((e) => e.timeNano >= sinceNano);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}
