/**
 * The Boson subgraph's GraphQL schema, rebuilt from the TypeScript types that
 * the pinned @bosonprotocol/core-sdk publishes (its graphql-codegen output,
 * `dist/cjs/subgraph.d.ts`): the package ships no schema file, and a
 * hand-written one would only agree with us. The TypeScript compiler API reads
 * the declarations; graphql-js (the major core-sdk uses) builds the schema.
 *
 * Codegen's conventions, read back:
 * - `export declare enum X { A = "A" }`: an enum;
 * - `Scalars["Name"]["output" | "input"]`: a scalar (built-in or custom);
 * - an object literal with `__typename`: an object type; without it, in an
 *   output position, an interface (`Y = Interface & { __typename... }`
 *   implements it); in an argument or filter position, an input type;
 * - `Maybe<T>` / `InputMaybe<T>` or `?:` on an output field: nullable;
 *   `Array<T>`: a list; an optional input field that is not `InputMaybe` is
 *   non-null with a default (graph-node's `subgraphError`);
 * - a field's arguments: the type `${Parent}${Field}Args` (first letter up).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLInputFieldConfigMap,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from "graphql";
import ts from "typescript";

const load = createRequire(__filename);

/** Path of core-sdk's generated subgraph types. */
export function coreSdkSubgraphTypesPath(): string {
  return join(dirname(load.resolve("@bosonprotocol/core-sdk/package.json")), "dist", "cjs", "subgraph.d.ts");
}

type Declarations = { aliases: Map<string, ts.TypeNode>; enums: Map<string, string[]> };

function readDeclarations(path: string): Declarations {
  const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const aliases = new Map<string, ts.TypeNode>();
  const enums = new Map<string, string[]>();
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement)) aliases.set(statement.name.text, statement.type);
    else if (ts.isEnumDeclaration(statement)) {
      enums.set(
        statement.name.text,
        statement.members.map((member) =>
          member.initializer && ts.isStringLiteral(member.initializer)
            ? member.initializer.text
            : member.name.getText(source),
        ),
      );
    }
  }
  return { aliases, enums };
}

const builtIns: Record<string, GraphQLScalarType> = {
  ID: GraphQLID,
  String: GraphQLString,
  Boolean: GraphQLBoolean,
  Int: GraphQLInt,
  Float: GraphQLFloat,
};

function refName(node: ts.TypeNode): string | undefined {
  return ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) ? node.typeName.text : undefined;
}

function typeArgument(node: ts.TypeNode): ts.TypeNode {
  const argument = ts.isTypeReferenceNode(node) ? node.typeArguments?.[0] : undefined;
  if (argument === undefined) throw new Error(`expected a type argument in ${ts.SyntaxKind[node.kind]}`);
  return argument;
}

function scalarName(node: ts.TypeNode): string | undefined {
  // Scalars["Name"]["output"]
  if (!ts.isIndexedAccessTypeNode(node) || !ts.isIndexedAccessTypeNode(node.objectType)) return undefined;
  const inner = node.objectType;
  if (refName(inner.objectType) !== "Scalars") return undefined;
  const literal = inner.indexType;
  return ts.isLiteralTypeNode(literal) && ts.isStringLiteral(literal.literal) ? literal.literal.text : undefined;
}

function members(node: ts.TypeNode): { literal: ts.TypeLiteralNode; interfaces: string[] } {
  if (ts.isTypeLiteralNode(node)) return { literal: node, interfaces: [] };
  if (ts.isIntersectionTypeNode(node)) {
    const literal = node.types.find(ts.isTypeLiteralNode);
    if (literal === undefined) throw new Error("an intersection without an object literal");
    return { literal, interfaces: node.types.map(refName).filter((name): name is string => name !== undefined) };
  }
  throw new Error(`not an object type: ${ts.SyntaxKind[node.kind]}`);
}

function propertyName(member: ts.TypeElement): string {
  if (member.name === undefined || !(ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)))
    throw new Error("a member without a plain name");
  return member.name.text;
}

function ownTypename(literal: ts.TypeLiteralNode): string | undefined {
  for (const member of literal.members) {
    if (!ts.isPropertySignature(member) || propertyName(member) !== "__typename" || member.type === undefined) continue;
    const node = member.type;
    if (ts.isLiteralTypeNode(node) && ts.isStringLiteral(node.literal)) return node.literal.text;
  }
  return undefined;
}

/** Builds the schema whose root query type is codegen's `Query`. */
export function buildSchemaFromCodegenTypes(path: string = coreSdkSubgraphTypesPath()): GraphQLSchema {
  const { aliases, enums } = readDeclarations(path);
  const named = new Map<string, GraphQLNamedType>();

  const scalar = (name: string): GraphQLScalarType => {
    const builtIn = builtIns[name];
    if (builtIn !== undefined) return builtIn;
    let custom = named.get(name);
    if (custom === undefined) {
      if (!aliases.has("Scalars")) throw new Error("no Scalars type");
      custom = new GraphQLScalarType({ name });
      named.set(name, custom);
    }
    return custom as GraphQLScalarType;
  };

  const enumType = (name: string): GraphQLEnumType | undefined => {
    const values = enums.get(name);
    if (values === undefined) return undefined;
    let found = named.get(name);
    if (found === undefined) {
      found = new GraphQLEnumType({ name, values: Object.fromEntries(values.map((value) => [value, { value }])) });
      named.set(name, found);
    }
    return found as GraphQLEnumType;
  };

  const argsOf = (parent: string, field: string): GraphQLFieldConfigArgumentMap | undefined => {
    // Codegen capitalises the first letter after leading underscores (`_meta` -> `Query_MetaArgs`).
    const leading = /^_*/.exec(field)?.[0] ?? "";
    const rest = field.slice(leading.length);
    const node = aliases.get(`${parent}${leading}${rest.charAt(0).toUpperCase()}${rest.slice(1)}Args`);
    if (node === undefined) return undefined;
    const args: GraphQLFieldConfigArgumentMap = {};
    for (const member of members(node).literal.members) {
      if (!ts.isPropertySignature(member) || member.type === undefined) continue;
      args[propertyName(member)] = inputField(member);
    }
    return args;
  };

  const inputField = (member: ts.PropertySignature): { type: GraphQLInputType; defaultValue?: unknown } => {
    const node = member.type as ts.TypeNode;
    const wrapped = refName(node) === "InputMaybe" || refName(node) === "Maybe";
    const type = inputType(wrapped ? typeArgument(node) : node);
    if (wrapped) return { type };
    // Optional but not nullable: graph-node gives it a default (subgraphError: deny).
    if (member.questionToken !== undefined) {
      const values = enums.get(refName(node) ?? "");
      return {
        type: new GraphQLNonNull(type),
        ...(values?.[0] !== undefined ? { defaultValue: values.includes("deny") ? "deny" : values[0] } : {}),
      };
    }
    return { type: new GraphQLNonNull(type) };
  };

  const inputType = (node: ts.TypeNode): GraphQLInputType => {
    const scalarType = scalarName(node);
    if (scalarType !== undefined) return scalar(scalarType);
    const name = refName(node);
    if (name === "Array") {
      const inner = typeArgument(node);
      const nullable = refName(inner) === "InputMaybe" || refName(inner) === "Maybe";
      const item = inputType(nullable ? typeArgument(inner) : inner);
      return new GraphQLList(nullable ? item : new GraphQLNonNull(item));
    }
    if (name === undefined) throw new Error(`unsupported input type node ${ts.SyntaxKind[node.kind]}`);
    const asEnum = enumType(name);
    if (asEnum !== undefined) return asEnum;
    const existing = named.get(name);
    if (existing !== undefined) return existing as GraphQLInputObjectType;
    const declaration = aliases.get(name);
    if (declaration === undefined) throw new Error(`no declaration for input type ${name}`);
    const type = new GraphQLInputObjectType({
      name,
      fields: () => {
        const fields: GraphQLInputFieldConfigMap = {};
        for (const member of members(declaration).literal.members) {
          if (ts.isPropertySignature(member) && member.type !== undefined)
            fields[propertyName(member)] = inputField(member);
        }
        return fields;
      },
    });
    named.set(name, type);
    return type;
  };

  const interfaceNames = new Set<string>();
  const implementers = new Map<string, string[]>();
  for (const [name, node] of aliases) {
    // Schema types only (`__typename?: "<own name>"`), not the operation and fragment result types beside them.
    if (
      !ts.isIntersectionTypeNode(node) ||
      !node.types.some((part) => ts.isTypeLiteralNode(part) && ownTypename(part) === name)
    )
      continue;
    for (const parent of members(node).interfaces) {
      interfaceNames.add(parent);
      implementers.set(parent, [...(implementers.get(parent) ?? []), name]);
    }
  }

  const outputFields = (parent: string, literal: ts.TypeLiteralNode) => (): GraphQLFieldConfigMap<unknown, unknown> => {
    const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
    for (const member of literal.members) {
      if (!ts.isPropertySignature(member) || member.type === undefined) continue;
      const name = propertyName(member);
      if (name === "__typename") continue;
      const node = member.type;
      const nullable = member.questionToken !== undefined || refName(node) === "Maybe";
      const type = outputType(refName(node) === "Maybe" ? typeArgument(node) : node);
      const args = argsOf(parent, name);
      fields[name] = { type: nullable ? type : new GraphQLNonNull(type), ...(args !== undefined ? { args } : {}) };
    }
    return fields;
  };

  const outputType = (node: ts.TypeNode): GraphQLOutputType => {
    const scalarType = scalarName(node);
    if (scalarType !== undefined) return scalar(scalarType);
    const name = refName(node);
    if (name === "Array") {
      const inner = typeArgument(node);
      const nullable = refName(inner) === "Maybe";
      const item = outputType(nullable ? typeArgument(inner) : inner);
      return new GraphQLList(nullable ? item : new GraphQLNonNull(item));
    }
    if (name === undefined) throw new Error(`unsupported output type node ${ts.SyntaxKind[node.kind]}`);
    const asEnum = enumType(name);
    if (asEnum !== undefined) return asEnum;
    return objectOrInterface(name);
  };

  const objectOrInterface = (name: string): GraphQLObjectType | GraphQLInterfaceType => {
    const existing = named.get(name);
    if (existing !== undefined) return existing as GraphQLObjectType | GraphQLInterfaceType;
    const declaration = aliases.get(name);
    if (declaration === undefined) throw new Error(`no declaration for output type ${name}`);
    const { literal, interfaces } = members(declaration);
    if (interfaceNames.has(name)) {
      const type = new GraphQLInterfaceType({ name, fields: outputFields(name, literal) });
      named.set(name, type);
      // Implementations are reachable only through their interface: build them too.
      for (const implementation of implementers.get(name) ?? []) objectOrInterface(implementation);
      return type;
    }
    const type = new GraphQLObjectType({
      name,
      fields: outputFields(name, literal),
      interfaces: () => interfaces.map((parent) => objectOrInterface(parent) as GraphQLInterfaceType),
    });
    named.set(name, type);
    return type;
  };

  const query = objectOrInterface("Query");
  if (!(query instanceof GraphQLObjectType)) throw new Error("Query is not an object type");
  const types = [...named.values()];
  return new GraphQLSchema({ query, types });
}

let cached: GraphQLSchema | undefined;

/** The schema from the installed core-sdk, built once per process. */
export function bosonSubgraphSchema(): GraphQLSchema {
  cached ??= buildSchemaFromCodegenTypes();
  return cached;
}
