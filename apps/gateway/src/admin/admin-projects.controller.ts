import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  CreateProjectBody,
  IssueKeyBody,
  type ApiKeyRecord,
  type ApiKeySummary,
  type IssuedApiKey,
  type ProjectRecord,
} from '@tally/contracts';
import { ApiError } from '../http/api-error.js';
import { ServiceClient } from '../http/service-client.js';
import { validated, type InvalidInput } from '../http/validated.js';
import { ProjectRegistry } from '../projects/project-registry.js';
import { AdminTokenGuard } from './admin-token.guard.js';

const INVALID_BODY: InvalidInput = {
  code: 'invalid_body',
  message: 'invalid request body',
  locator: 'path',
};

const summary = ({ projectId: _projectId, ...key }: ApiKeyRecord): ApiKeySummary => key;

/** `/v1/admin/projects`: create projects, issue, list and revoke their keys (admin token). */
@Controller('v1/admin/projects')
@UseGuards(AdminTokenGuard)
export class AdminProjectsController {
  constructor(
    private readonly registry: ProjectRegistry,
    private readonly services: ServiceClient,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<ProjectRecord> {
    const { name } = validated(CreateProjectBody, body, INVALID_BODY);
    return this.written(() => this.registry.createProject(name));
  }

  @Get()
  list(): { projects: ProjectRecord[] } {
    return { projects: this.registry.listProjects() };
  }

  /** The only response that ever carries the key itself. */
  @Post(':projectId/keys')
  @HttpCode(201)
  async issueKey(
    @Param('projectId') projectId: string,
    @Body() body: unknown,
  ): Promise<IssuedApiKey> {
    this.requireProject(projectId);
    const { kind } = validated(IssueKeyBody, body, INVALID_BODY);
    const issued = await this.written(() => this.registry.issueKey(projectId, kind));
    return { ...summary(issued.record), key: issued.key };
  }

  @Get(':projectId/keys')
  listKeys(@Param('projectId') projectId: string): { keys: ApiKeySummary[] } {
    this.requireProject(projectId);
    return { keys: this.registry.listKeys(projectId).map(summary) };
  }

  @Delete(':projectId/keys/:keyId')
  async revokeKey(
    @Param('projectId') projectId: string,
    @Param('keyId') keyId: string,
  ): Promise<ApiKeySummary> {
    this.requireProject(projectId);
    const revoked = await this.written(() => this.registry.revokeKey(projectId, keyId));
    if (!revoked) throw new ApiError(404, 'key_not_found', `project has no key ${keyId}`);
    return summary(revoked);
  }

  /** Writes go to the projects KV bucket: NATS down means 503, not 500. */
  private written<T>(write: () => Promise<T>): Promise<T> {
    return this.services.natsWork(write, {
      unavailableCode: 'projects_unavailable',
      service: 'projects store (NATS KV)',
    });
  }

  private requireProject(projectId: string): void {
    if (!this.registry.project(projectId)) {
      throw new ApiError(404, 'project_not_found', `no project ${projectId}`);
    }
  }
}
