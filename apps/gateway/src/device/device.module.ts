import { Module } from '@nestjs/common';
import { DeviceController } from './device.controller';

/** Device login (RFC 8628, CONTRACT section 9): device codes, polls, and the approval page's API. */
@Module({ controllers: [DeviceController] })
export class DeviceModule {}
