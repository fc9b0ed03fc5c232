import { Controller, Get } from '@nestjs/common';
import type { OpenAPIV3_1 } from 'openapi-types';
import { API_DOCUMENT } from './api-document.js';

/** `GET /docs/openapi.json`: the OpenAPI 3.1 document (the HTML reference is at `/docs`). */
@Controller('docs')
export class ApiDocsController {
  @Get('openapi.json')
  document(): OpenAPIV3_1.Document {
    return API_DOCUMENT;
  }
}
