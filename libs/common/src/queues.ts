import type { StatusReport } from './status-report.js';

/** Queue names, shared by every process that produces or consumes them. */
export enum QueueName {
  Poll = 'poll',
  Report = 'report',
  Notify = 'notify',
}

export enum JobName {
  PollServer = 'poll-server',
  ApplyReport = 'apply-report',
  SendNotification = 'send-notification',
}

/** What the scheduler hands a poll worker: everything needed to query, no secrets. */
export interface PollJobData {
  serverId: number;
  game: string;
  host: string;
  port: number;
  /** Start of the interval slot this poll belongs to, epoch milliseconds. */
  slotStart: number;
  intervalS: number;
}

export type ReportJobData = StatusReport & { slotStart: number };

/**
 * BullMQ rejects ':' in custom job ids, hence '-'. The id is the same for every
 * scheduler that enqueues this server in this slot, so duplicates collapse.
 */
export function pollJobId(serverId: number, slotStart: number): string {
  return `poll-${serverId}-${slotStart}`;
}

export function reportJobId(serverId: number, slotStart: number): string {
  return `report-${serverId}-${slotStart}`;
}

/**
 * One delivery of one event to one channel, as Odoo's id. No webhook URL or secret: the
 * notifier reads the delivery from Odoo just before sending it. `summary` is for people
 * looking at the queue.
 */
export interface NotifyJobData {
  deliveryId: number;
  channelId: number;
  summary: string;
}

/** The same for every notifier that lists the delivery, so it is queued once. */
export function notifyJobId(deliveryId: number): string {
  return `notify-${deliveryId}`;
}
