import {LogsError} from './logs-error.js'

export class JobNotFoundError extends LogsError {
  constructor(id: string, where: string) {
    super(`job ${id} not found in ${where}`, {
      exitCode: 1,
      suggestions: ['run `logs ls` to see the jobs there; `logs get JOB -f` and `logs tail JOB` wait for a job that has not started'],
    })
  }
}
