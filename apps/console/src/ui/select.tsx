import { Button, FieldError, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, Text } from 'react-aria-components';

/** A labelled single choice from a list (React Aria Select: a button that opens a listbox). */
export function Choice({
  label,
  options,
  value,
  onChange,
  description,
  isRequired,
  placeholder = 'Choose…',
}: {
  label: string;
  options: { id: string; name: string }[];
  value: string | null;
  onChange: (value: string | null) => void;
  description?: string;
  isRequired?: boolean;
  placeholder?: string;
}) {
  return (
    <Select
      className="field"
      selectedKey={value}
      onSelectionChange={(key) => onChange(key === null ? null : String(key))}
      isRequired={isRequired}
      placeholder={placeholder}
    >
      <Label className="field-label">{label}</Label>
      <Button className="button select-button">
        <SelectValue />
        <span aria-hidden="true">▾</span>
      </Button>
      {description && (
        <Text slot="description" className="field-description">
          {description}
        </Text>
      )}
      <FieldError className="field-error" />
      <Popover className="popover">
        <ListBox className="listbox" items={options}>
          {(option) => (
            <ListBoxItem id={option.id} className="listbox-item">
              {option.name}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </Select>
  );
}
