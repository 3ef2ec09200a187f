export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '&' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export type ChainLink = { op: BinaryOp; operand: Node };

/**
 * A run of left-associative operators of one precedence level (`a + b - c`) is one `chain` node, evaluated in a
 * loop: a long `a & b & c & ...` adds no tree depth, so evaluation recursion stays bounded by the nesting limit.
 */
export type Node =
  | { kind: 'literal'; value: string | number | boolean | null; pos: number }
  | { kind: 'field'; path: string[]; pos: number }
  | { kind: 'call'; name: string; args: Node[]; pos: number }
  | { kind: 'unary'; op: '-' | 'not'; operand: Node; pos: number }
  | { kind: 'chain'; first: Node; rest: ChainLink[]; pos: number };
