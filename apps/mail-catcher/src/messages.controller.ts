import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CaughtMessage, MailboxService } from './mailbox.service';

export class MessagesQuery {
  @IsOptional() @IsString() @MaxLength(320) to?: string;
}

@Controller('messages')
export class MessagesController {
  constructor(private readonly mailbox: MailboxService) {}

  @Get()
  list(@Query() query: MessagesQuery): Promise<CaughtMessage[]> {
    return this.mailbox.list(query.to);
  }

  @Delete()
  @HttpCode(204)
  clear(): void {
    this.mailbox.clear();
  }
}
