import { Injectable } from '@nestjs/common';
import { OdooClient } from '#odoo-client';
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
  pendingAfter(afterId: number, limit: number): Promise<PendingDelivery[]> {
    return this.odoo.callModel<PendingDelivery[]>(MODEL, 'pending_deliveries', {
      after_id: afterId,
      limit,
    });
  }

  /** The delivery if it is still pending (read just before sending, so nothing is sent twice). */
  async pending(id: number): Promise<PendingDelivery | undefined> {
    const found = await this.odoo.callModel<PendingDelivery[]>(MODEL, 'pending_deliveries', {
      after_id: 0,
      limit: 1,
      delivery_ids: [id],
    });
    return found[0];
  }

  async report(
    results: readonly DeliveryResult[],
  ): Promise<{ written: number; missing: number[] }> {
    return this.odoo.callModel(MODEL, 'report_deliveries', { results });
  }
}

/** A time as Odoo's datetimes are written. */
export function odooTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}
