import { useEffect, useRef } from 'preact/hooks';

/**
 * The dialog shown modal while drawn; once gone, the focus back where it was (on the button that opened it: Webhooks, Audit), or on the
 * compact top bar's Menu when a click in the view closed the menu that held the button.
 */
export function useModal() {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const back = document.activeElement as HTMLElement | null;
    const shown = dialog.current;
    shown?.showModal();
    return () => {
      shown?.close();
      const target = back?.getClientRects().length
        ? back
        : document.querySelector<HTMLElement>('.menu > summary');
      target?.focus();
    };
  }, []);
  return dialog;
}
