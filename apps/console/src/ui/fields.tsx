import type { ReactNode } from 'react';
import { FieldError, Input, Label, Text, TextArea, TextField, type TextFieldProps } from 'react-aria-components';

/** A labelled text input with its description and error (React Aria TextField). */
export function TextInput({
  label,
  description,
  multiline,
  type,
  step,
  ...props
}: TextFieldProps & { label: string; description?: ReactNode; multiline?: boolean; type?: string; step?: number }) {
  return (
    <TextField className="field" {...props} type={type}>
      <Label className="field-label">{label}</Label>
      {multiline ? <TextArea className="input textarea" /> : <Input className="input" step={step} />}
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <FieldError className="field-error" />
    </TextField>
  );
}
