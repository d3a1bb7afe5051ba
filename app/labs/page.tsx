'use client';

import dynamic from 'next/dynamic';

/** The teacher's page (`/labs`, the admin link): classes, their live grid, every lab. Browser-only, like the lab. */
const TeacherApp = dynamic(() => import('@/components/teacher/TeacherApp'), {
  ssr: false,
  loading: () => <div className="boot">Loading the classes…</div>,
});

export default function Page() {
  return <TeacherApp />;
}
