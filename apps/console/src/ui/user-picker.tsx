import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ComboBox, FieldError, Input, Label, ListBox, ListBoxItem, Popover, Text } from 'react-aria-components';
import { answer, api } from '../api/client';
import type { Page, User } from '../api/answers';

/** Picks a user by name or e-mail (super admins search the user list), or takes a user id as typed. */
export function UserPicker({
  label,
  onChange,
  serviceAccount,
}: {
  label: string;
  onChange: (userId: string | null) => void;
  serviceAccount?: boolean;
}) {
  const [text, setText] = useState('');
  const found = useQuery({
    queryKey: ['users', 'search', text, serviceAccount],
    queryFn: () =>
      answer<Page<User>>(
        api.GET('/api/v1/users', {
          params: {
            query: { q: text, limit: 20, ...(serviceAccount !== undefined ? { serviceAccount: String(serviceAccount) as 'true' } : {}) },
          },
        }),
      ),
    enabled: text.length > 0,
    retry: false,
  });
  const typedId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text.trim()) ? text.trim() : null;
  return (
    <ComboBox
      className="field"
      inputValue={text}
      onInputChange={(value) => {
        setText(value);
        const id = /^[0-9a-f-]{36}$/i.test(value.trim()) ? value.trim() : null;
        onChange(id);
      }}
      onSelectionChange={(key) => onChange(key === null ? typedId : String(key))}
      items={found.data?.items ?? []}
      allowsCustomValue
      // The matches arrive after the typing: the list opens at once and fills when they come.
      allowsEmptyCollection
      menuTrigger="input"
    >
      <Label className="field-label">{label}</Label>
      <Input className="input" />
      <Text slot="description" className="field-description">
        Type part of a name or e-mail and choose, or paste a user id.
        {found.isError && ' (Searching needs a super administrator: paste the id.)'}
      </Text>
      <FieldError className="field-error" />
      <Popover className="popover">
        <ListBox
          className="listbox"
          renderEmptyState={() => <p className="state state-empty">{found.isFetching ? 'Searching…' : 'No match.'}</p>}
        >
          {(user: User) => (
            <ListBoxItem id={user.id} textValue={user.name} className="listbox-item">
              {user.name} {user.email && <span className="muted">({user.email})</span>}
            </ListBoxItem>
          )}
        </ListBox>
      </Popover>
    </ComboBox>
  );
}
