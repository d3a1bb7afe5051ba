/**
 * The teacher's socket (`/admin`, admin token only): classes made, changed
 * and deleted; a class followed, its grid pushed as its labs change (at most
 * four times a second); resets; results. Every payload validated.
 */
import type { Namespace, Socket } from 'socket.io';
import type { z } from 'zod';
import type { Classroom } from '../classroom/classroom';
import type { LabHub } from './lab-hub';
import {
  classAddSchema,
  classCreateSchema,
  classLabSchema,
  classNameSchema,
  classResetSchema,
  classResultsSchema,
  classShareSchema,
  describeIssue,
  emptySchema,
  type AdminClientToServerEvents,
  type AdminServerToClientEvents,
} from '../protocol';
import { replyVia } from './socket-handlers';
import { listLessons } from '../lessons/lesson-library';

export type AdminNamespace = Namespace<AdminClientToServerEvents, AdminServerToClientEvents>;
type AdminSocket = Socket<AdminClientToServerEvents, AdminServerToClientEvents>;

/** The grid is pushed at most this often while labs change. */
const GRID_PUSH_MS = 250;

export function attachAdmin(nsp: AdminNamespace, classroom: Classroom, hubOf: (lab: string) => Promise<LabHub>): void {
  nsp.on('connection', (socket: AdminSocket) => {
    let watching: { name: string; off: (() => void)[]; timer?: NodeJS.Timeout } | undefined;

    const push = () => {
      if (!watching || watching.timer) return;
      const w = watching;
      w.timer = setTimeout(async () => {
        w.timer = undefined;
        if (watching !== w) return;
        socket.emit('class-grid', { name: w.name, tiles: await classroom.tiles(w.name) });
      }, GRID_PUSH_MS);
    };
    const unwatch = () => {
      if (!watching) return;
      clearTimeout(watching.timer);
      for (const off of watching.off) off();
      watching = undefined;
    };
    const watch = async (name: string) => {
      unwatch();
      const w: NonNullable<typeof watching> = { name, off: [] };
      watching = w;
      for (const s of classroom.get(name)?.students ?? []) {
        const hub = await hubOf(s.lab);
        if (watching !== w) return;
        hub.lab.on('state', push);
        hub.lesson.on('status', push);
        hub.terminals.on('list-changed', push);
        hub.lab.log.on('entries', push);
        w.off.push(() => {
          hub.lab.off('state', push);
          hub.lesson.off('status', push);
          hub.terminals.off('list-changed', push);
          hub.lab.log.off('entries', push);
        });
      }
    };
    const onChanged = (name: string) => {
      if (watching?.name === name) void watch(name).then(push);
    };
    classroom.on('changed', onChanged);
    socket.on('disconnect', () => {
      unwatch();
      classroom.off('changed', onChanged);
    });

    const handle = <S extends z.ZodType, T extends object>(event: keyof AdminClientToServerEvents, schema: S, fn: (req: z.infer<S>) => Promise<string | undefined | T>) => {
      socket.on(event as 'class-list', (payload: unknown, ack: unknown) => {
        const send = replyVia<T>(ack);
        const parsed = schema.safeParse(payload ?? {});
        if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
        fn(parsed.data).then(
          (r) => send(typeof r === 'string' ? { ok: false, error: r } : ({ ok: true, ...(r ?? {}) } as never)),
          (e) => send({ ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
      });
    };
    handle('class-list', emptySchema, async () => ({ classes: classroom.list(), lessons: listLessons(), labs: classroom.allLabs() }));
    handle('class-create', classCreateSchema, (req) => classroom.create(req, (done, total) => socket.emit('class-progress', { name: req.name, done, total })));
    handle('class-add', classAddSchema, (req) => classroom.add(req.name, req.students));
    handle('class-remove', classLabSchema, (req) => classroom.remove(req.name, req.lab));
    handle('class-delete', classNameSchema, async (req) => {
      if (watching?.name === req.name) unwatch();
      return classroom.delete(req.name);
    });
    handle('class-watch', classNameSchema, async (req) => {
      if (!classroom.get(req.name)) return `name: there is no class "${req.name}"`;
      await watch(req.name);
      return { links: classroom.links(req.name), tiles: await classroom.tiles(req.name), teacher: classroom.teacherLinks(req.name), shared: !!classroom.get(req.name)?.shared };
    });
    handle('class-reset', classResetSchema, (req) => (req.lab ? classroom.reset(req.name, req.lab, req.step ?? 0) : classroom.resetAll(req.name)));
    handle('class-share', classShareSchema, (req) => classroom.share(req.name, req.on));
    handle('class-results', classResultsSchema, async (req) => {
      if (!classroom.get(req.name)) return `name: there is no class "${req.name}"`;
      return { text: req.format === 'csv' ? await classroom.resultsCsv(req.name) : JSON.stringify(await classroom.results(req.name), null, 2) };
    });
  });
}
