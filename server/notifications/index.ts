/**
 * Notices for administrators: things Rapport did by itself that someone must look at (a plugin
 * disabled after repeated failures, a workflow run that failed for good). They are kept in
 * `admin_notifications`, listed at /api/notifications (the studio shows them), and, when mail is
 * available, emailed to every active administrator. Repeats of the same notice while it is unread
 * are folded into one (`key`), so a failing loop cannot flood anyone.
 */
import { ObjectId, type Collection, type Db } from 'mongodb';
import { Router, type Request } from 'express';
import type { Logger } from '../shared/logger.ts';
import { defineProblem } from '../shared/errors.ts';

export type Notice = { kind: string; key: string; title: string; detail: string; link?: string };
type Stored = Notice & { _id: ObjectId; at: Date; count: number; read: boolean };
/** Emails a notice to the administrators (the mail capability); optional. */
export type NoticeMailer = (notice: Notice) => Promise<void>;

const notFound = defineProblem({ type: 'notification-not-found', status: 404, title: 'Unknown notification' });

export type Notifications = ReturnType<typeof createNotifications>;

export function createNotifications(deps: { db: Db; logger: Logger; mail?: () => NoticeMailer | undefined }) {
  const notices: Collection<Stored> = deps.db.collection('admin_notifications');
  return {
    init: () => notices.createIndex({ key: 1, read: 1 }),
    /** Records a notice (never throws: the work that noticed something must go on). */
    async notify(notice: Notice): Promise<void> {
      try {
        const res = await notices.updateOne({ key: notice.key, read: false }, { $set: { ...notice, at: new Date() }, $inc: { count: 1 }, $setOnInsert: { read: false } }, { upsert: true });
        if (res.upsertedCount) await deps.mail?.()?.(notice);
      } catch (err) {
        deps.logger.error({ err, notice: notice.key }, 'recording an admin notification failed');
      }
    },
    list: (unreadOnly: boolean) => notices.find(unreadOnly ? { read: false } : {}).sort({ at: -1 }).limit(200).toArray(),
    async markRead(id: string): Promise<void> {
      const res = /^[0-9a-f]{24}$/.test(id) ? await notices.updateOne({ _id: new ObjectId(id) }, { $set: { read: true } }) : { matchedCount: 0 };
      if (!res.matchedCount) throw notFound.create({ detail: `There is no notification ${id}` });
    },
  };
}

/** Administrators only (app.ts mounts requireAdmin on /api/notifications). */
export function notificationsRoutes(n: Notifications): Router {
  const router = Router();
  const view = ({ _id, ...rest }: Stored) => ({ id: _id.toHexString(), ...rest });
  router.get('/api/notifications', async (req: Request, res) => void res.json({ data: (await n.list(req.query.unread === 'true')).map(view) }));
  router.post('/api/notifications/:id/read', async (req, res) => {
    await n.markRead(String(req.params.id));
    res.status(204).end();
  });
  return router;
}
