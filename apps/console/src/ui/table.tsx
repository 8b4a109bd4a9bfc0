import type { ReactNode } from 'react';
import { Cell, Column, Row, Table, TableBody, TableHeader } from 'react-aria-components';

export interface ColumnDef<T> {
  name: string;
  cell: (item: T) => ReactNode;
}

/** A React Aria table: a grid with arrow-key navigation, its first column the row header. */
export function DataTable<T extends object>({
  label,
  columns,
  rows,
  rowId,
  empty,
}: {
  label: string;
  columns: ColumnDef<T>[];
  rows: T[];
  rowId: (item: T) => string;
  empty?: string;
}) {
  return (
    <div className="table-scroll">
      <Table aria-label={label} className="table">
        <TableHeader>
          {columns.map((column, index) => (
            <Column key={column.name} id={column.name} isRowHeader={index === 0}>
              {column.name}
            </Column>
          ))}
        </TableHeader>
        <TableBody
          items={rows}
          dependencies={[columns]}
          renderEmptyState={() => <p className="state state-empty">{empty ?? 'Nothing here yet.'}</p>}
        >
          {(item) => (
            <Row id={rowId(item)}>
              {columns.map((column) => (
                <Cell key={column.name}>{column.cell(item)}</Cell>
              ))}
            </Row>
          )}
        </TableBody>
      </Table>
    </div>
  );
}
