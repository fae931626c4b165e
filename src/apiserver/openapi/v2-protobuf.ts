// /openapi/v2 as protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`), the
// only form kubectl asks for: kubectl up to 1.28 needs it for `apply`/`create -f` (patch metadata
// and the fieldValidation check) and `explain`; later ones for `explain
// --output=plaintext-openapiv2`. The message schema is the subset of gnostic's OpenAPIv2 Document
// (package openapi.v2) that a Swagger 2.0 document of the Kubernetes API uses, with the same field
// numbers; vendor extensions, defaults and enums travel as YAML text in `Any.yaml` (written in
// JSON form, which YAML parsers read), as gnostic does.
import protobuf from 'protobufjs';

const OPENAPI_V2_PROTO = `
syntax = "proto3";
package openapi.v2;
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message Any { string yaml = 2; }
message BodyParameter { string description = 1; string name = 2; string in = 3; bool required = 4; Schema schema = 5; repeated NamedAny vendor_extension = 6; }
message Definitions { repeated NamedSchema additional_properties = 1; }
message Document {
  string swagger = 1; Info info = 2; string host = 3; string base_path = 4; repeated string schemes = 5;
  repeated string consumes = 6; repeated string produces = 7; Paths paths = 8; Definitions definitions = 9;
  repeated NamedAny vendor_extension = 16;
}
message Info { string title = 1; string version = 2; string description = 3; repeated NamedAny vendor_extension = 7; }
message ItemsItem { repeated Schema schema = 1; }
message JsonReference { string _ref = 1; string description = 2; }
message NamedAny { string name = 1; Any value = 2; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message NamedSchema { string name = 1; Schema value = 2; }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; PathParameterSubSchema path_parameter_sub_schema = 4; } }
message Operation {
  repeated string tags = 1; string summary = 2; string description = 3; string operation_id = 5;
  repeated string produces = 6; repeated string consumes = 7; repeated ParametersItem parameters = 8;
  Responses responses = 9; repeated string schemes = 10; bool deprecated = 11; repeated NamedAny vendor_extension = 13;
}
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message ParametersItem { oneof oneof { Parameter parameter = 1; JsonReference json_reference = 2; } }
message PathItem {
  string _ref = 1; Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5;
  Operation options = 6; Operation head = 7; Operation patch = 8; repeated ParametersItem parameters = 9;
  repeated NamedAny vendor_extension = 10;
}
message PathParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 5; string format = 6; bool unique_items = 19; repeated NamedAny vendor_extension = 22; }
message Paths { repeated NamedAny vendor_extension = 1; repeated NamedPathItem path = 2; }
message Properties { repeated NamedSchema additional_properties = 1; }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; bool allow_empty_value = 5; string type = 6; string format = 7; bool unique_items = 20; repeated NamedAny vendor_extension = 23; }
message Response { string description = 1; SchemaItem schema = 2; repeated NamedAny vendor_extension = 5; }
message ResponseValue { oneof oneof { Response response = 1; JsonReference json_reference = 2; } }
message Responses { repeated NamedResponseValue response_code = 1; repeated NamedAny vendor_extension = 2; }
message Schema {
  string _ref = 1; string format = 2; string title = 3; string description = 4; Any default = 5;
  double multiple_of = 6; double maximum = 7; bool exclusive_maximum = 8; double minimum = 9; bool exclusive_minimum = 10;
  int64 max_length = 11; int64 min_length = 12; string pattern = 13; int64 max_items = 14; int64 min_items = 15;
  bool unique_items = 16; int64 max_properties = 17; int64 min_properties = 18; repeated string required = 19;
  repeated Any enum = 20; AdditionalPropertiesItem additional_properties = 21; TypeItem type = 22; ItemsItem items = 23;
  repeated Schema all_of = 24; Properties properties = 25; string discriminator = 26; bool read_only = 27;
  Any example = 30; repeated NamedAny vendor_extension = 31;
}
message SchemaItem { oneof oneof { Schema schema = 1; } }
message TypeItem { repeated string value = 1; }
`;

/** What clients ask for in Accept. */
export const V2_PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
/** What the response says (`@` is not valid in a media type; Go's mime parser rejects it). */
export const V2_PROTOBUF_RESPONSE_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

let documentType: protobuf.Type | undefined;
function docType(): protobuf.Type {
  documentType ??= protobuf.parse(OPENAPI_V2_PROTO, { keepCase: true }).root.lookupType('openapi.v2.Document');
  return documentType;
}

// JSON is YAML (1.2 flow style), and ~100x faster to write than the yaml package's block style.
const anyOf = (v: unknown) => ({ yaml: JSON.stringify(v) + '\n' });

function extensions(o: Record<string, unknown>): { name: string; value: { yaml: string } }[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: anyOf(v) }));
}

const NUMERIC: [string, string][] = [
  ['multipleOf', 'multiple_of'],
  ['maximum', 'maximum'],
  ['minimum', 'minimum'],
  ['maxLength', 'max_length'],
  ['minLength', 'min_length'],
  ['maxItems', 'max_items'],
  ['minItems', 'min_items'],
  ['maxProperties', 'max_properties'],
  ['minProperties', 'min_properties'],
];

/** A v2 (JSON) schema -> the protobuf Schema message object. */
export function schemaMessage(s: any): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  if (!s || typeof s !== 'object') return m;
  if (s.$ref) m._ref = s.$ref;
  for (const k of ['format', 'title', 'description', 'pattern', 'discriminator'] as const) if (typeof s[k] === 'string') m[k] = s[k];
  if (s.default !== undefined) m.default = anyOf(s.default);
  if (s.example !== undefined) m.example = anyOf(s.example);
  for (const [j, p] of NUMERIC) if (typeof s[j] === 'number') m[p] = s[j];
  if (s.exclusiveMaximum) m.exclusive_maximum = true;
  if (s.exclusiveMinimum) m.exclusive_minimum = true;
  if (s.uniqueItems) m.unique_items = true;
  if (s.readOnly) m.read_only = true;
  if (Array.isArray(s.required)) m.required = s.required;
  if (Array.isArray(s.enum)) m.enum = s.enum.map(anyOf);
  if (s.additionalProperties !== undefined) m.additional_properties = typeof s.additionalProperties === 'boolean' ? { boolean: s.additionalProperties } : { schema: schemaMessage(s.additionalProperties) };
  if (typeof s.type === 'string') m.type = { value: [s.type] };
  if (s.items) m.items = { schema: (Array.isArray(s.items) ? s.items : [s.items]).map(schemaMessage) };
  if (Array.isArray(s.allOf)) m.all_of = s.allOf.map(schemaMessage);
  if (s.properties) m.properties = { additional_properties: Object.entries(s.properties).map(([name, v]) => ({ name, value: schemaMessage(v) })) };
  const ext = extensions(s);
  if (ext.length) m.vendor_extension = ext;
  return m;
}

function parameterMessage(p: any): Record<string, unknown> {
  if (p.in === 'body') {
    return { parameter: { body_parameter: { description: p.description ?? '', name: p.name, in: 'body', required: !!p.required, schema: schemaMessage(p.schema) } } };
  }
  const common = { required: !!p.required, in: p.in, description: p.description ?? '', name: p.name, type: p.type ?? 'string', unique_items: !!p.uniqueItems };
  return { parameter: { non_body_parameter: p.in === 'path' ? { path_parameter_sub_schema: common } : { query_parameter_sub_schema: common } } };
}

function operationMessage(op: any): Record<string, unknown> {
  return {
    tags: op.tags ?? [],
    description: op.description ?? '',
    operation_id: op.operationId ?? '',
    produces: op.produces ?? [],
    consumes: op.consumes ?? [],
    parameters: (op.parameters ?? []).map(parameterMessage),
    schemes: op.schemes ?? [],
    responses: {
      response_code: Object.entries(op.responses ?? {}).map(([code, r]: [string, any]) => ({
        name: code,
        value: { response: { description: r.description ?? '', ...(r.schema ? { schema: { schema: schemaMessage(r.schema) } } : {}) } },
      })),
    },
    vendor_extension: extensions(op),
  };
}

/** Encodes a Swagger 2.0 JSON document as gnostic's OpenAPIv2 Document protobuf. */
export function encodeV2Protobuf(doc: any): Uint8Array {
  const msg = {
    swagger: doc.swagger ?? '2.0',
    info: { title: doc.info?.title ?? '', version: doc.info?.version ?? '' },
    paths: {
      path: Object.entries(doc.paths ?? {}).map(([name, item]: [string, any]) => {
        const v: Record<string, unknown> = {};
        for (const verb of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch']) if (item[verb]) v[verb] = operationMessage(item[verb]);
        if (item.parameters) v.parameters = item.parameters.map(parameterMessage);
        return { name, value: v };
      }),
    },
    definitions: { additional_properties: Object.entries(doc.definitions ?? {}).map(([name, s]) => ({ name, value: schemaMessage(s) })) },
  };
  const t = docType();
  return t.encode(msg).finish();
}

/** Decodes (for tests and tools) a protobuf v2 document back to a plain object. */
export function decodeV2Protobuf(buf: Uint8Array): any {
  const t = docType();
  return t.toObject(t.decode(buf), { longs: Number, defaults: false, arrays: false, oneofs: false });
}
