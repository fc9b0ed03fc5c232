import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { KeyKind, type ApiKeyRecord, type ProjectRecord } from '@tally/contracts';
import { z } from 'zod';
import { ApiError } from '../http/api-error.js';
import { ProjectRegistry } from '../projects/project-registry.js';
import { AdminTokenGuard } from './admin-token.guard.js';

const CreateProjectBody = z.object({ name: z.string().trim().min(1).max(200) });
const IssueKeyBody = z.object({ kind: KeyKind });

type KeySummary = Omit<ApiKeyRecord, 'projectId'>;

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: i.path.join('.'),
      message: i.message,
    }));
    throw new ApiError(400, 'invalid_body', 'invalid request body', details);
  }
  return parsed.data;
}

const summary = ({ projectId: _projectId, ...key }: ApiKeyRecord): KeySummary => key;

/** `/v1/admin/projects`: create projects, issue, list and revoke their keys (admin token). */
@Controller('v1/admin/projects')
@UseGuards(AdminTokenGuard)
export class AdminProjectsController {
  constructor(private readonly registry: ProjectRegistry) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown): Promise<ProjectRecord> {
    return this.registry.createProject(parseBody(CreateProjectBody, body).name);
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
  ): Promise<KeySummary & { key: string }> {
    this.requireProject(projectId);
    const { kind } = parseBody(IssueKeyBody, body);
    const issued = await this.registry.issueKey(projectId, kind);
    return { ...summary(issued.record), key: issued.key };
  }

  @Get(':projectId/keys')
  listKeys(@Param('projectId') projectId: string): { keys: KeySummary[] } {
    this.requireProject(projectId);
    return { keys: this.registry.listKeys(projectId).map(summary) };
  }

  @Delete(':projectId/keys/:keyId')
  async revokeKey(
    @Param('projectId') projectId: string,
    @Param('keyId') keyId: string,
  ): Promise<KeySummary> {
    this.requireProject(projectId);
    const revoked = await this.registry.revokeKey(projectId, keyId);
    if (!revoked) throw new ApiError(404, 'key_not_found', `project has no key ${keyId}`);
    return summary(revoked);
  }

  private requireProject(projectId: string): void {
    if (!this.registry.project(projectId)) {
      throw new ApiError(404, 'project_not_found', `no project ${projectId}`);
    }
  }
}
