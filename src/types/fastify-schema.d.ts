// OpenAPI annotations on route schemas (tags, summary…): documentation that the
// API reference reads. @fastify/swagger declares the same fields.
import 'fastify';

declare module 'fastify' {
  interface FastifySchema {
    tags?: readonly string[];
    summary?: string;
    description?: string;
    hide?: boolean;
  }
}
