import { Body, Controller, Delete, Get, HttpCode, Ip, Logger, Param, Post } from '@nestjs/common';
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
import { AdminOnly } from './admin-only.decorator.js';

const INVALID_BODY: InvalidInput = {
  code: 'invalid_body',
  message: 'invalid request body',
  locator: 'path',
};

const summary = ({ projectId: _projectId, ...key }: ApiKeyRecord): ApiKeySummary => key;

type AdminAction = 'project.created' | 'key.issued' | 'key.revoked';

/** `/v1/admin/projects`: create projects, issue, list and revoke their keys (admin token). */
@Controller('v1/admin/projects')
@AdminOnly()
export class AdminProjectsController {
  private readonly logger = new Logger('AdminAudit');

  constructor(
    private readonly registry: ProjectRegistry,
    private readonly services: ServiceClient,
  ) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @Ip() address: string): Promise<ProjectRecord> {
    const { name } = validated(CreateProjectBody, body, INVALID_BODY);
    const project = await this.written(() => this.registry.createProject(name));
    this.audit('project.created', address, { projectId: project.id });
    return project;
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
    @Ip() address: string,
  ): Promise<IssuedApiKey> {
    this.requireProject(projectId);
    const { kind } = validated(IssueKeyBody, body, INVALID_BODY);
    const issued = await this.written(() => this.registry.issueKey(projectId, kind));
    this.audit('key.issued', address, { projectId, keyId: issued.record.keyId, kind });
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
    @Ip() address: string,
  ): Promise<ApiKeySummary> {
    this.requireProject(projectId);
    const revoked = await this.written(() => this.registry.revokeKey(projectId, keyId));
    if (!revoked) throw new ApiError(404, 'key_not_found', `project has no key ${keyId}`);
    this.audit('key.revoked', address, { projectId, keyId, kind: revoked.kind });
    return summary(revoked);
  }

  /**
   * One log line per change: what, to which project and key, who (the admin token's holder, known
   * by the client address) and when. NOTE: the key itself is never logged, only its id.
   */
  private audit(
    action: AdminAction,
    address: string,
    target: { projectId: string; keyId?: string; kind?: string },
  ): void {
    const entry = { action, ...target, by: { credential: 'admin_token', address } };
    this.logger.log({ ...entry, at: new Date().toISOString() }, `admin ${action}`);
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
