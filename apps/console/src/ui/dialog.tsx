import type { ReactNode } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

/** A modal dialog (React Aria: focus trapped and restored, Escape closes, labelled by its heading). */
export function ModalDialog({
  title,
  isOpen,
  onOpenChange,
  isDismissable = true,
  role,
  children,
}: {
  title: string;
  isOpen?: boolean;
  onOpenChange?: (open: boolean) => void;
  isDismissable?: boolean;
  role?: 'dialog' | 'alertdialog';
  children: ReactNode | ((close: () => void) => ReactNode);
}) {
  return (
    <ModalOverlay className="modal-overlay" isOpen={isOpen} onOpenChange={onOpenChange} isDismissable={isDismissable}>
      <Modal className="modal">
        <Dialog className="dialog" role={role}>
          {({ close }) => (
            <>
              <Heading slot="title" className="dialog-title">
                {title}
              </Heading>
              {typeof children === 'function' ? children(close) : children}
            </>
          )}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/** Asks before something that cannot be undone. */
export function ConfirmDialog({
  title,
  isOpen,
  onOpenChange,
  confirmLabel,
  onConfirm,
  isPending,
  children,
}: {
  title: string;
  isOpen: boolean;
  onOpenChange: (open: boolean) => void;
  confirmLabel: string;
  onConfirm: () => void;
  isPending?: boolean;
  children: ReactNode;
}) {
  return (
    <ModalDialog title={title} isOpen={isOpen} onOpenChange={onOpenChange} role="alertdialog">
      {(close) => (
        <>
          <div className="dialog-body">{children}</div>
          <div className="dialog-actions">
            <Button className="button" onPress={close}>
              Cancel
            </Button>
            <Button className="button button-danger" onPress={onConfirm} isDisabled={isPending}>
              {isPending ? 'Working…' : confirmLabel}
            </Button>
          </div>
        </>
      )}
    </ModalDialog>
  );
}
