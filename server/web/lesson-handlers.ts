/**
 * The socket side of lessons: the list, start and stop, "show me", reset,
 * and a re-check, every payload validated; the lesson and its status go to
 * every browser of the lab. Changing anything needs an edit link.
 */
import type { LabLesson } from '../lessons/lab-lesson';
import { listLessons } from '../lessons/lesson-library';
import { describeIssue, emptySchema, lessonStartSchema, lessonStepSchema, type Ack, type LessonSummary } from '../protocol';
import type { LabChannel, LabSocket } from './lab-channel';
import { replyVia as reply, VIEW_ONLY } from './socket-handlers';
import type { z } from 'zod';


export function attachLessons(io: LabChannel, lesson: LabLesson): { detach(): void } {
  const onLesson = (v: ReturnType<LabLesson['view']>) => io.broadcast('lesson', v);
  const onStatus = (s: ReturnType<LabLesson['status']>) => io.broadcast('lesson-status', s);
  lesson.on('lesson', onLesson);
  lesson.on('status', onStatus);

  const onConnection = (socket: LabSocket) => {
    socket.emit('lesson', lesson.view());
    socket.emit('lesson-status', lesson.status());

    /** A handler that validates, refuses view links when it changes the lab, and answers errors as acks. */
    const handle = <S extends z.ZodType>(event: string, schema: S, changes: boolean, fn: (req: z.infer<S>) => Promise<string | undefined> | string | undefined) => {
      socket.on(event as 'lesson-stop', (payload: unknown, ack: unknown) => {
        const send = reply(ack);
        if (changes && socket.data.role === 'view') return send({ ok: false, error: VIEW_ONLY });
        const parsed = schema.safeParse(payload ?? {});
        if (!parsed.success) return send({ ok: false, ...describeIssue(parsed.error, payload) });
        Promise.resolve(fn(parsed.data)).then(
          (error) => send(error ? { ok: false, error } : { ok: true }),
          (e) => send({ ok: false, error: e instanceof Error ? e.message : String(e) }),
        );
      });
    };
    socket.on('lesson-list', (_payload: unknown, ack: unknown) => reply<{ lessons: LessonSummary[] }>(ack)({ ok: true, lessons: listLessons() }));
    handle('lesson-start', lessonStartSchema, true, (req) => lesson.start(req));
    handle('lesson-stop', emptySchema, true, () => {
      lesson.stop();
      return undefined;
    });
    handle('lesson-show', lessonStepSchema, true, (req) => lesson.show(req.step));
    handle('lesson-reset', lessonStepSchema, true, (req) => lesson.reset(req.step));
    handle('lesson-check', emptySchema, true, () => {
      lesson.recheck();
      return undefined;
    });
  };
  io.on('connection', onConnection);
  return {
    detach() {
      lesson.off('lesson', onLesson);
      lesson.off('status', onStatus);
      io.off('connection', onConnection);
    },
  };
}
