import { Controller, Get, Injectable, Param, ParseUUIDPipe, Res } from '@nestjs/common';
import type { Response } from 'express';
import type { Attachment } from 'mailparser';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { Access, env, problem } from '@caseline/service-kit';

export const MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024;
export const MAX_ATTACHMENTS = 5;

/** The links a message's attachments became: the first image (else the first file) is the case's media. */
export interface KeptAttachments {
  urls: string[];
  mediaUrl?: string;
  /** Too large, or beyond the number kept: the reply says so. */
  dropped: number;
}

const publicBaseUrl = () => env('PUBLIC_BASE_URL', `http://127.0.0.1:${process.env.INTAKE_PORT ?? 3000}`).replace(/\/+$/, '');
const contentTypeOf = (type: string | undefined) => (type && /^[\w.+-]+\/[\w.+-]+$/.test(type) ? type.toLowerCase() : 'application/octet-stream');

/** Attachments of email requests, kept in PostgreSQL and linked from the case, never copied into the log. */
@Injectable()
export class Attachments {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores what fits the limits, once per message (a redelivery gets the same ids). Inline parts of
   * an HTML body (signature logos) are not attachments.
   */
  async keep(messageHash: Buffer, attachments: Attachment[]): Promise<KeptAttachments> {
    const offered = attachments.filter((attachment) => !attachment.related);
    const fitting = offered.filter((attachment) => attachment.content.length <= MAX_ATTACHMENT_BYTES).slice(0, MAX_ATTACHMENTS);
    for (const [position, attachment] of fitting.entries()) {
      await this.dataSource.query(
        `INSERT INTO intake.attachments (id, message_id_hash, position, content_type, bytes) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (message_id_hash, position) DO NOTHING`,
        [randomUUID(), messageHash, position, contentTypeOf(attachment.contentType), attachment.content],
      );
    }
    const kept = await this.dataSource.query<{ id: string; content_type: string }[]>(
      'SELECT id, content_type FROM intake.attachments WHERE message_id_hash = $1 ORDER BY position',
      [messageHash],
    );
    const urls = kept.map((row) => `${publicBaseUrl()}/v1/attachments/${row.id}`);
    const image = kept.findIndex((row) => row.content_type.startsWith('image/'));
    return { urls, mediaUrl: urls[image >= 0 ? image : 0], dropped: offered.length - fitting.length };
  }

  async find(id: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
    const [row] = await this.dataSource.query<{ content_type: string; bytes: Buffer }[]>('SELECT content_type, bytes FROM intake.attachments WHERE id = $1', [id]);
    return row && { contentType: row.content_type, bytes: row.bytes };
  }
}

/** An attachment by its unguessable id: always a download, never rendered by the browser on our origin. */
@Controller('v1/attachments')
@Access.signed('unguessable attachment id')
export class AttachmentsController {
  constructor(private readonly attachments: Attachments) {}

  @Get(':id')
  async download(@Param('id', new ParseUUIDPipe({ version: '4' })) id: string, @Res() response: Response): Promise<void> {
    const attachment = await this.attachments.find(id);
    if (!attachment) throw problem(404, 'Not Found', 'No attachment has this id');
    response
      .status(200)
      .set({
        'Content-Type': attachment.contentType,
        'Content-Disposition': 'attachment',
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': 'private, max-age=86400',
      })
      .send(attachment.bytes);
  }
}
