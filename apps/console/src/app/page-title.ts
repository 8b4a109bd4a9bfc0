import { useEffect } from 'react';

/** Each page names itself in the window title, so screen readers announce where a link led. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Tessera`;
  }, [title]);
}
