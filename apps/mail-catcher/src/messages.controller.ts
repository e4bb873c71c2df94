import { Controller, Delete, Get, HttpCode, Query } from '@nestjs/common';
import { CaughtMessage, Mailbox } from './mailbox';

@Controller('messages')
export class MessagesController {
  constructor(private readonly mailbox: Mailbox) {}

  @Get()
  list(@Query('to') to?: string): CaughtMessage[] {
    return this.mailbox.list(to);
  }

  @Delete()
  @HttpCode(204)
  clear(): void {
    this.mailbox.clear();
  }
}
