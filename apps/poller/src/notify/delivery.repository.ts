import { Injectable } from '@nestjs/common';
import { type OdooCallOptions, OdooClient } from '#odoo-client';
import type { PendingDelivery } from './notify-event.js';

const MODEL = 'game.server.notify.delivery';

/** What became of one delivery, as game.server.notify.delivery.report_deliveries takes it. */
export interface DeliveryResult {
  id: number;
  /** 'pending': a try failed and another will come. */
  state: 'sent' | 'failed' | 'pending';
  attempts: number;
  error: string | null;
  /** 'YYYY-MM-DD HH:MM:SS', UTC. */
  at: string;
}

/** The addon's two notifier methods. */
@Injectable()
export class DeliveryRepository {
  constructor(private readonly odoo: OdooClient) {}

  /** Pending deliveries with an id above `afterId`, oldest first. */
  pendingAfter(
    afterId: number,
    limit: number,
    options: OdooCallOptions = {},
  ): Promise<PendingDelivery[]> {
    return this.odoo.callModel<PendingDelivery[]>(
      MODEL,
      'pending_deliveries',
      { after_id: afterId, limit },
      options,
    );
  }

  /** The delivery if it is still pending (read just before sending, so nothing is sent twice). */
  async pending(id: number, options: OdooCallOptions = {}): Promise<PendingDelivery | undefined> {
    const found = await this.odoo.callModel<PendingDelivery[]>(
      MODEL,
      'pending_deliveries',
      { after_id: 0, limit: 1, delivery_ids: [id] },
      options,
    );
    return found[0];
  }

  async report(
    results: readonly DeliveryResult[],
    options: OdooCallOptions = {},
  ): Promise<{ written: number; missing: number[] }> {
    return this.odoo.callModel(MODEL, 'report_deliveries', { results }, options);
  }
}

/** A time as Odoo's datetimes are written. */
export function odooTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
